"""Diagonal linear networks: parameter layouts, initialisations and invariants.

Single task: ``params`` (4, D) with rows ``w+, v+, w-, v-`` and predictor
``beta = w+ * v+ - w- * v-``.

Multi-task: ``params`` (T + 1, 2, D); ``params[0] = (w+, w-)`` is the shared
first layer and ``params[1 + t] = (v+^t, v-^t)`` task ``t``'s readout, with
``beta_t = w+ * v+^t - w- * v-^t``.

The exact single-task flow (docs/theory.md, "single task") is
``beta(t) = A exp(z) - B exp(-z)`` with

    A = ((w+ + v+)^2 + (w- - v-)^2) / 4,   B = ((w+ - v+)^2 + (w- + v-)^2) / 4

taken at the initialisation; A and B are handled in log scale.
"""
import numpy as np

from featreuse.errors import InputError
from featreuse.validation import as_float_array, check_scalar


def single_init(init, D, name="init"):
    """Return single-task initial parameters (4, D).

    ``w+, v+, w-, v-`` are the weights of the positive (``w+ v+``) and the
    negative (``- w- v-``) pathway of each coordinate, and they are
    non-negative: gradient flow of all the weights from a non-negative init
    keeps them so (``w+ +- v+`` and ``w- -+ v-`` are scaled by ``exp(-+G)``,
    with ``G`` the integrated gradient in beta; GD too while
    ``lr |g| < 1``). A zero entry is allowed; it leaves the coordinate
    sign-constrained (or frozen), which the flows handle. (Readout-only
    training moves ``v+, v-`` by ``+-w G`` and can end with negative
    readouts; such params are not accepted as an init.)

    Parameters
    ----------
    init : float or array_like (4, D)
        A scalar alpha > 0 sets all four vectors to alpha (LL's init);
        an array gives ``w+, v+, w-, v-`` explicitly, every entry >= 0.
    D : int
        Input dimension.
    name : str
        Argument name used in error messages.

    Returns
    -------
    ndarray (4, D)

    Raises
    ------
    InputError
        A scalar <= 0, an array of another shape, or an array with a negative
        entry (the message gives the first one's index).
    """
    if np.ndim(init) == 0:
        alpha = check_scalar(init, name, low=0.0)
        return np.full((4, D), float(alpha))
    arr = as_float_array(init, name)
    if arr.shape != (4, D):
        raise InputError(f"{name} must be a scalar or an array of shape (4, {D}), got {arr.shape}")
    _check_non_negative(arr, name)
    return arr.copy()


def multi_init(init, D, T, name="init"):
    """Return multi-task initial parameters (T + 1, 2, D).

    ``init[0] = (w+, w-)`` is the shared first layer and
    ``init[1 + t] = (v+^t, v-^t)`` task ``t``'s readout.

    Unlike the single task, array entries of any sign are accepted: with two
    or more tasks the flow does not keep the weights non-negative (a readout
    ``v^t`` moves by ``-g_t w`` and a shared weight by ``-sum_t g_t v^t``,
    which change sign when the tasks pull a feature in opposite directions,
    with or without weight decay), so a trained network's params, a
    legitimate init, can have negative entries.

    Parameters
    ----------
    init : float or array_like (T + 1, 2, D)
        A scalar alpha > 0 sets every weight to alpha; an array gives them
        explicitly.
    D, T : int
        Input dimension and number of tasks.
    name : str
        Argument name used in error messages.

    Returns
    -------
    ndarray (T + 1, 2, D)
    """
    if np.ndim(init) == 0:
        alpha = check_scalar(init, name, low=0.0)
        return np.full((T + 1, 2, D), float(alpha))
    arr = as_float_array(init, name)
    if arr.shape != (T + 1, 2, D):
        raise InputError(
            f"{name} must be a scalar or an array of shape ({T + 1}, 2, {D}), got {arr.shape}")
    return arr.copy()


def _check_non_negative(arr, name):
    """Raise InputError naming ``name`` and the first negative entry's index."""
    negative = np.argwhere(arr < 0)
    if negative.size:
        index = tuple(int(i) for i in negative[0])
        raise InputError(
            f"{name} must be >= 0 everywhere (the weights of the positive and negative "
            f"pathways), got {arr[index]:.3g} at index {index}")


def beta_single(params):
    """Predictor of single-task params (..., 4, D) -> (..., D)."""
    return params[..., 0, :] * params[..., 1, :] - params[..., 2, :] * params[..., 3, :]


def beta_multi(params):
    """Predictors of multi-task params (T + 1, 2, D) -> (D, T)."""
    w = params[0]
    v = params[1:]
    return (w[0] * v[:, 0, :] - w[1] * v[:, 1, :]).T


def log_AB(params):
    """Log-scale flow constants of single-task init params (4, D).

    Returns ``(log A, log B)``, each (D,); ``-inf`` where A or B is 0.
    """
    wp, vp, wm, vm = params
    with np.errstate(divide="ignore"):
        logA = 2.0 * np.log(np.hypot(wp + vp, wm - vm)) - np.log(4.0)
        logB = 2.0 * np.log(np.hypot(wp - vp, wm + vm)) - np.log(4.0)
    return logA, logB


def params_at(init, z):
    """Single-task parameters reached by the flow at dual point ``z`` (D,).

    Along the exact flow ``w+ +- v+ = (w+ +- v+)(0) exp(+-z/2)`` and
    ``w- +- v- = (w- +- v-)(0) exp(-+z/2)``; ``z = -2 G`` with ``G`` the
    integrated gradient of the loss in beta.
    """
    wp, vp, wm, vm = init
    ep, em = np.exp(0.5 * z), np.exp(-0.5 * z)
    sp, dp = (wp + vp) * ep, (wp - vp) * em
    sm, dm = (wm + vm) * em, (wm - vm) * ep
    return np.stack([(sp + dp) / 2, (sp - dp) / 2, (sm + dm) / 2, (sm - dm) / 2])


def conserved_single(params):
    """Per-coordinate invariants ``(w+^2 - v+^2, w-^2 - v-^2)`` of the single-task flow."""
    wp, vp, wm, vm = params[..., 0, :], params[..., 1, :], params[..., 2, :], params[..., 3, :]
    return np.stack([wp ** 2 - vp ** 2, wm ** 2 - vm ** 2], axis=-2)


def conserved_multi(params):
    """Invariants ``w±^2 - sum_t (v±^t)^2`` (2, D) of the multi-task flow without weight decay."""
    return params[0] ** 2 - np.sum(params[1:] ** 2, axis=0)


def finetune_init(params, rescale=1.0, readout_init=1e-3, name="pretrained"):
    """Finetuning initialisation from pretrained single-task params (4, D).

    The first layer is multiplied by ``rescale`` (LL's weight rescaling s) and
    the readouts are reset to ``readout_init`` (c); ``readout_init=None``
    keeps the pretrained readouts.

    Parameters
    ----------
    params : array_like (4, D)
        Pretrained ``w+, v+, w-, v-``. The entries the init keeps (the first
        layer, and the readouts when ``readout_init=None``) must be >= 0, as
        for :func:`single_init`: full training from a non-negative init keeps
        them so. (Readout-only training does not: its readouts can end
        negative, so such a network is finetuned with a ``readout_init``.)
    rescale : float
        s > 0.
    readout_init : float >= 0 or None
        c.
    name : str
        Argument name used in error messages.

    Returns
    -------
    ndarray (4, D)
    """
    params = as_float_array(params, name, ndim=2)
    if params.shape[0] != 4:
        raise InputError(f"{name} params must have shape (4, D), got {params.shape}")
    check_scalar(rescale, "rescale", low=0.0)
    out = params.copy()
    out[0] *= rescale
    out[2] *= rescale
    if readout_init is not None:
        check_scalar(readout_init, "readout_init", low=0.0, low_inclusive=True)
        out[1] = readout_init
        out[3] = readout_init
    _check_non_negative(out, name)
    return out
