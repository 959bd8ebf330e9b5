"""Outcome of a run of CHS's alternating algorithm: a dataclass of numpy arrays."""
from dataclasses import dataclass

import numpy as np


@dataclass
class ChsResult:
    """The learned representation and the training record.

    Attributes
    ----------
    W : ndarray (m, d)
        Shared first layer after the last round.
    W0 : ndarray (m, d)
        Shared first layer at initialisation.
    heads : ndarray (T, m)
        The heads of the last round (one step from 0 at the last round's ``W``).
    losses : ndarray (rounds,)
        Each round's shared-step loss (mean over tasks of the mean logistic
        loss on that round's fresh samples), before its step.
    wall_s : float
        Seconds of training.
    device : str
        Torch device the run used.
    """

    W: np.ndarray
    W0: np.ndarray
    heads: np.ndarray
    losses: np.ndarray
    wall_s: float
    device: str
