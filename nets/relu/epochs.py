"""Minibatch orders: a fresh random permutation of the samples every epoch.

The orders of a run come from the ``RELU_SHUFFLE`` of its seed and are
the same in both trainers. A restart at a lower learning rate starts the
stream again, so a restarted run is the run at that learning rate from
scratch.
"""
import numpy as np

from ..seeding import RELU_SHUFFLE, stream


class EpochOrders:
    """Successive random orders of ``n`` samples.

    Parameters
    ----------
    seed : int >= 0
    n : int
        Samples.

    Notes
    -----
    Orders are drawn ``chunk`` epochs at a time (one generator call per chunk,
    ``Generator.permuted`` on a ``(chunk, n)`` array); the sequence depends
    on ``chunk``, which is therefore fixed.
    """

    chunk = 16

    def __init__(self, seed, n):
        self._rng = stream(seed, RELU_SHUFFLE)
        self._base = np.tile(np.arange(n), (self.chunk, 1))
        self._buffer = None
        self._next = self.chunk

    def next(self):
        """Return the next epoch's order, ndarray (n,) of int64 (a permutation)."""
        if self._next == self.chunk:
            self._buffer = self._rng.permuted(self._base, axis=1)
            self._next = 0
        order = self._buffer[self._next]
        self._next += 1
        return order
