"""The fresh samples of one round of CHS's alternating algorithm."""
from dataclasses import dataclass

import numpy as np

from .tasks import halfspace_labels


@dataclass(frozen=True)
class ChsRound:
    """Inputs and labels of one round; inputs are per task, or shared (leading axis 1).

    Attributes
    ----------
    X_head : ndarray (T, n1, d) or (1, n1, d)
        Inputs of the head step.
    Y_head : ndarray (T, n1)
        Labels in {-1, +1} of task t on its inputs.
    X_shared : ndarray (T, n2, d) or (1, n2, d)
        Inputs of the shared-layer step.
    Y_shared : ndarray (T, n2)
    """

    X_head: np.ndarray
    Y_head: np.ndarray
    X_shared: np.ndarray
    Y_shared: np.ndarray


def sample_round(rng, tasks, head_samples, shared_samples, shared_inputs=False):
    """Draw one round's samples ``x ~ N(0, I_d)`` (head inputs first, then shared-step inputs).

    The normals are drawn in float32 and returned in float64.

    Parameters
    ----------
    rng : numpy.random.Generator
        The training run's round stream (advanced by the draw).
    tasks : ChsTasks
    head_samples, shared_samples : int
        Samples per task, n1 and n2.
    shared_inputs : bool
        Draw one set of inputs for all tasks (leading axis 1) instead of one per task.

    Returns
    -------
    ChsRound
    """
    lead = 1 if shared_inputs else tasks.tasks
    # drawn in float32 (numpy's float32 normals are ~3x faster; the draw dominates a
    # round's cost) and held in float64: a Gaussian sample rounded to 24 bits
    X_head = rng.standard_normal((lead, head_samples, tasks.d), dtype=np.float32).astype(float)
    X_shared = rng.standard_normal((lead, shared_samples, tasks.d), dtype=np.float32).astype(float)
    U = tasks.normals
    return ChsRound(X_head, halfspace_labels(X_head, U), X_shared, halfspace_labels(X_shared, U))
