"""Independent random streams of one integer seed: the one :func:`stream` and every stream number.

Every random draw of featreuse's experiments comes from
``numpy.random.SeedSequence(seed, spawn_key=(which,))`` with one of the numbers
below, so that, for one seed, the teacher, each data set, the initialisation,
the finetuning readout, the minibatch order and the validation split are
independent of each other and of every size parameter that does not concern
them. Each family has its own named numbers (one table, so that a reader sees
which numbers are shared on purpose): the ReLU and diagonal teacher-student
tasks draw their data from the same numbers 0-3; the deep and CHS numbers do
not collide with any other. The numbers are part of the results: changing one
changes every draw of that stream.

numpy only (no torch): the analysis families import :func:`stream` too.
"""
import numpy as np

from featreuse.validation import check_scalar

# ReLU teacher-student networks (featreuse.nets.relu)
RELU_TEACHER = 0        # teacher units and output signs
RELU_AUX = 1            # auxiliary training inputs
RELU_MAIN = 2           # main training inputs
RELU_TEST = 3           # held-out (test) inputs
RELU_INIT = 4           # student initialisation (W, a)
RELU_READOUT = 5        # readout re-initialisation before finetuning
RELU_SHUFFLE = 6        # minibatch order of SGD
RELU_SPLIT = 7          # train / validation split of the ridge baselines

# diagonal teacher-student tasks (featreuse.analysis.families.diagonal.tasks): ReLU's data numbers
DIAGONAL_TEACHER = 0    # supports and signs of the two teachers
DIAGONAL_AUX = 1        # auxiliary training inputs
DIAGONAL_MAIN = 2       # main training inputs
DIAGONAL_TEST = 3       # held-out (test) inputs

# WZR synthetic tasks (featreuse.analysis.families.wzr.data)
WZR_PARAMS = 0          # theta, supports, rotations
WZR_TARGET_X = 1        # target inputs (the Gaussian R of X = R D Q)
WZR_SOURCE_X = 2        # source inputs, shared by the three Fig. 3 sources
WZR_TARGET_NOISE = 3    # target label noise
WZR_SOURCE_NOISE = 4    # source label noise
WZR_CORRUPT = 5         # which labels of the noisy task are random, and their values
WZR_ABLATION_INIT = 6   # initial weights of the ablation's networks (nets.wzr.ablation_model)

# deep networks on CIFAR (featreuse.nets.deep, featreuse.analysis.families.deep)
DEEP_CLASSES = 20       # permutation of the classes: 2 main, the rest auxiliary
DEEP_SUBSET = 21        # order of the main-task training pool (its first n images are used)
DEEP_INIT = 22          # torch seed of the network's initialisation
DEEP_SHUFFLE = 23       # minibatch order of every epoch

# CHS multi-task ReLU model (featreuse.nets.chs; docs/chs.md). For one seed the subspace M
# depends on (d, r) only, the task directions and the probe task on r only (the tasks of T
# are the first T of any larger T), and the initial weights, the rounds' samples and the
# probe's inputs are independent of each other and of the tasks.
CHS_SUBSPACE = 100      # the orthonormal basis M (d, r)
CHS_TASKS = 101         # the training tasks' directions v_t (T, r)
CHS_ROUNDS = 102        # fresh inputs of every training round
CHS_INIT = 103          # the first layer at initialisation W0 (m, d)
CHS_PROBE_TASK = 104    # the unseen task of the downstream probe (r,)
CHS_PROBE_DATA = 105    # the probe's test and training inputs


def stream(seed, which):
    """Return the numpy Generator of one random stream of ``seed``.

    Parameters
    ----------
    seed : int >= 0
    which : int
        One of the stream numbers of this module.
    """
    seed = check_scalar(seed, "seed", low=0, low_inclusive=True, integer=True)
    return np.random.Generator(np.random.PCG64(
        np.random.SeedSequence(seed, spawn_key=(int(which),))))
