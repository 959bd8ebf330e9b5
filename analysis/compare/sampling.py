"""Where an iterative method's path is sampled: geometrically spaced steps."""
import numpy as np

#: ratio of consecutive sample steps: about 10 samples per decade of steps
RATIO = 1.25


def sample_steps(max_steps):
    """Steps at which GD iterates are kept: 1, 2, 3, 4, 5, 6, 7, 9, 11, ... <= ``max_steps``.

    Parameters
    ----------
    max_steps : int
        Largest step a run may reach.

    Returns
    -------
    ndarray of int64 (m,)
        Increasing, unique, geometrically spaced (ratio :data:`RATIO`) from 1,
        with ``max_steps`` itself last.
    """
    if max_steps < 1:
        return np.zeros(0, dtype=np.int64)
    k = np.arange(int(np.ceil(np.log(max_steps) / np.log(RATIO))) + 1)
    steps = np.unique(np.round(RATIO ** k).astype(np.int64))
    steps = steps[steps < max_steps]
    return np.append(steps, np.int64(max_steps))
