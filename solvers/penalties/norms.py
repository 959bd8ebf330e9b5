"""The norms the convex programs minimise: l1, the group norm l12 and the weight-decayed
multi-task objective."""
import numpy as np

from featreuse.errors import InputError
from featreuse.validation import as_float_array, check_scalar, check_task_list
from .checks import reduce_terms


def l1(beta):
    """``||beta||_1`` summed over the last axis: array (..., D) -> (...)."""
    beta = as_float_array(beta, "beta")
    return reduce_terms(np.abs(beta), True)


def l12(B):
    """Group norm ``||B||_{1,2} = sum_d ||B_{d,:}||_2`` of ``B`` (D, T) (or (..., D, T)).

    Rows are features, columns tasks (MTL with weight decay penalises
    ``2 lambda ||B||_{1,2}``).
    """
    B = as_float_array(B, "B")
    if B.ndim < 2:
        raise InputError(f"B must have shape (..., D, T), got {B.shape}")
    out = np.sum(np.sqrt(np.sum(B * B, axis=-1)), axis=-1)
    return out[()] if out.ndim == 0 else out


def mtl_weight_decay_objective(B, Xs, ys, weight_decay, sample_weights):
    """``sum_t omega_t ||X_t beta_t - y_t||^2 + 2 lambda ||B||_{1,2}``.

    The smallest weight-decayed multi-task loss
    ``sum_t omega_t ||X_t beta_t - y_t||^2 + lambda ||theta||^2`` over the
    parameters theta that realise the predictors ``B``: per feature,
    ``min w^2 + ||v||^2`` over ``w v = b`` is ``2 ||b||`` (the balanced
    factorisation), whichever sign pathway carries each entry.

    Parameters
    ----------
    B : array_like (D, T)
        Predictors, one column per task.
    Xs, ys : lists of T array_like (n_t, D), (n_t,)
    weight_decay : float
        lambda >= 0.
    sample_weights : array_like (T,)
        Per-sample weights omega_t >= 0 (for per-task weights lambda_t of the
        task MSEs, ``omega_t = lambda_t / n_t``).

    Returns
    -------
    float
    """
    Xs, ys = check_task_list(Xs, ys)
    T, D = len(Xs), Xs[0].shape[1]
    B = as_float_array(B, "B", ndim=2)
    if B.shape != (D, T):
        raise InputError(f"B must have shape ({D}, {T}) (one column per task), got {B.shape}")
    check_scalar(weight_decay, "weight_decay", low=0.0, low_inclusive=True)
    omega = as_float_array(sample_weights, "sample_weights", ndim=1)
    if omega.shape != (T,) or np.any(omega < 0):
        raise InputError(f"sample_weights must be {T} per-sample weights >= 0, got {omega}")
    data = sum(omega[t] * float(np.sum((X @ B[:, t] - y) ** 2))
               for t, (X, y) in enumerate(zip(Xs, ys)))
    return data + 2.0 * float(weight_decay) * float(l12(B))
