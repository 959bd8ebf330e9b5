"""Independent random streams of one integer seed.

Every random draw of :mod:`featreuse.nets` comes from
``numpy.random.SeedSequence(seed, spawn_key=(stream,))`` with one of the
stream numbers below, so that, for one seed, the teacher, each data set, the
student's initialisation, the finetuning readout, the minibatch order and the
validation split are independent of each other and of every size parameter
that does not concern them. The data streams use the same numbers as the
diagonal teacher-student tasks.
"""
import numpy as np

from featreuse.validation import check_scalar

TEACHER_STREAM = 0      # teacher units and output signs
AUX_STREAM = 1          # auxiliary training inputs
MAIN_STREAM = 2         # main training inputs
TEST_STREAM = 3         # test inputs
INIT_STREAM = 4         # student initialisation (W, a)
READOUT_STREAM = 5      # readout re-initialisation before finetuning
SHUFFLE_STREAM = 6      # minibatch order of SGD
SPLIT_STREAM = 7        # train / validation split of the ridge baselines


def stream(seed, which):
    """Return the numpy Generator of one random stream of ``seed``.

    Parameters
    ----------
    seed : int >= 0
    which : int
        One of the ``*_STREAM`` constants of this module.
    """
    seed = check_scalar(seed, "seed", low=0, low_inclusive=True, integer=True)
    return np.random.Generator(np.random.PCG64(
        np.random.SeedSequence(seed, spawn_key=(int(which),))))
