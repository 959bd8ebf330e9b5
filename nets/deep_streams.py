"""Random streams of the deep experiments (``nets.seeding.stream(seed, which)``).

For one seed, the class split, the main-task subsets, the initialisation and the
minibatch order are independent of each other and of every size parameter that
does not concern them. The numbers do not collide with :mod:`featreuse.nets.seeding`'s.
"""
from .seeding import stream

CLASS_STREAM = 20       # permutation of the classes: 2 main, the rest auxiliary
SUBSET_STREAM = 21      # order of the main-task training pool (its first n images are used)
INIT_STREAM = 22        # torch seed of the network's initialisation
SHUFFLE_STREAM = 23     # minibatch order of every epoch


def init_seed(seed):
    """The torch seed of the initialisation of ``seed``'s networks (an int < 2**63)."""
    return int(stream(seed, INIT_STREAM).integers(2 ** 63))


__all__ = ["CLASS_STREAM", "SUBSET_STREAM", "INIT_STREAM", "SHUFFLE_STREAM", "init_seed",
           "stream"]
