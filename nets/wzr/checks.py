"""Input checks of the torch shared-module model (WZR) that only it has: activation, module, heads,
L-BFGS settings.

Task lists, the capacity r and task weights are checked by :mod:`featreuse.validation`
(``check_task_list``, ``check_rank``, ``check_task_weights``), as in the closed forms.
"""
from featreuse.errors import InputError
from featreuse.validation import as_float_array, check_choice, check_scalar

#: the nonlinearity g of g(X B) A
ACTIVATIONS = ("linear", "relu")


def check_activation(activation):
    """``"linear"`` or ``"relu"``."""
    return check_choice(activation, ACTIVATIONS, "activation")


def check_module(B, D, name="B"):
    """A shared module (D, r) for inputs with D columns."""
    B = as_float_array(B, name, ndim=2)
    if B.shape[0] != D:
        raise InputError(f"{name} has {B.shape[0]} rows but the inputs have D = {D} columns")
    return B


def check_heads(heads, k, r, name="heads"):
    """Heads (k, r): one row per task."""
    return as_float_array(heads, name, shape=(k, r))


def check_settings(max_iter, tol, starts=1, seed=0):
    """L-BFGS iterations (>= 1), tolerance (> 0), starts (>= 1) and seed (>= 0)."""
    return (check_scalar(max_iter, "max_iter", low=1, low_inclusive=True, integer=True),
            check_scalar(tol, "tol", low=0.0),
            check_scalar(starts, "starts", low=1, low_inclusive=True, integer=True),
            check_scalar(seed, "seed", low=0, low_inclusive=True, integer=True))
