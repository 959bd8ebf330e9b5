"""Per-feature penalties of transfer: MTL's conditional penalty and PT+FT's (exact and LL's
idealised), on the main-task coefficient given the auxiliary one."""
import numpy as np

from ..diagonal import finetune_init, log_AB
from featreuse.errors import InputError
from featreuse.validation import as_float_array, check_scalar
from .checks import check_broadcast, reduce_terms
from .entropy import entropy_terms


def mtl_conditional_penalty(beta, beta_aux, reduce=True):
    """MTL penalty on the main task given the auxiliary task (LL).

    ``sum_d sqrt(beta_d^2 + beta_aux,d^2) - |beta_aux,d|``: the increase of
    ``||[beta_aux, beta]||_{1,2}`` over ``||beta_aux||_1``. Jointly
    1-homogeneous in ``(beta, beta_aux)``.

    Parameters
    ----------
    beta, beta_aux : array_like (..., D)
        Main- and auxiliary-task coefficients (broadcast).
    reduce : bool
        Sum over the last axis (default) or return per-feature terms.
    """
    beta = as_float_array(beta, "beta")
    beta_aux = as_float_array(beta_aux, "beta_aux")
    check_broadcast(beta, beta_aux)
    a = np.abs(beta_aux)
    r = np.hypot(beta, a)
    # r - |a| = beta^2 / (r + |a|) without cancellation when beta << a
    terms = np.where(r > 0, beta * beta / np.where(r > 0, r + a, 1.0), 0.0)
    return reduce_terms(terms, reduce)


def balanced_params(beta_aux):
    """Pretrained parameters (4, ...) in the small-initialisation limit.

    A single-task network trained from ``alpha -> 0`` ends balanced:
    ``w+ = v+ = sqrt(max(beta_aux, 0))`` and ``w- = v- = sqrt(max(-beta_aux, 0))``.

    Parameters
    ----------
    beta_aux : array_like (...)
        Pretrained (auxiliary-task) predictor.

    Returns
    -------
    ndarray (4, ...)
        Rows ``w+, v+, w-, v-``.
    """
    beta_aux = as_float_array(beta_aux, "beta_aux")
    p = np.sqrt(np.maximum(beta_aux, 0.0))
    m = np.sqrt(np.maximum(-beta_aux, 0.0))
    return np.stack([p, p, m, m])


def ptft_penalty(beta, pretrained_params, rescale=1.0, readout_init=1e-3, reduce=True,
                 relative=False):
    """Exact PT+FT penalty: (P-ent) of the finetuning initialisation.

    The finetuning network starts at :func:`featreuse.solvers.diagonal.finetune_init`
    (first layer times ``rescale`` = s, readouts reset to ``readout_init`` = c),
    so its exact flow minimises :func:`entropy_penalty` with that init.

    Each term ``phi_d`` is minimal at the initial predictor
    ``beta0_d = A_d - B_d`` (``= s c (w+ - w-)`` here), where it is negative
    when ``delta_d != 0``. ``relative=True`` returns ``phi_d(beta) - phi_d(beta0_d)``
    instead: the Bregman divergence from the initial predictor, ``>= 0`` and
    ``0`` at ``beta0`` (same minimisers, since it only shifts by a constant).

    Parameters
    ----------
    beta : array_like (..., D)
        Main-task predictor(s).
    pretrained_params : array_like (4, D)
        Pretrained ``w+, v+, w-, v-`` (e.g. ``SingleResult.params`` or
        :func:`balanced_params`).
    rescale : float
        s > 0.
    readout_init : float
        c >= 0.
    reduce : bool
        Sum over the last axis (default) or return per-feature terms.
    relative : bool
        Subtract the value at the initial predictor (see above).
    """
    beta = as_float_array(beta, "beta")
    init = finetune_init(pretrained_params, rescale, readout_init, name="pretrained_params")
    if beta.ndim == 0 or beta.shape[-1] != init.shape[1]:
        raise InputError(
            f"beta must have shape (..., {init.shape[1]}) to match pretrained_params, "
            f"got {beta.shape}")
    log_A, log_B = log_AB(init)
    terms = entropy_terms(beta, log_A, log_B)
    if relative:
        terms = terms - _value_at_init(log_A, log_B)
    return reduce_terms(terms, reduce)


def _value_at_init(log_A, log_B):
    """phi(beta0) at the initial predictor beta0 = A - B (0 where A or B is 0)."""
    finite = np.isfinite(log_A) & np.isfinite(log_B)
    la, lb = np.where(finite, log_A, 0.0), np.where(finite, log_B, 0.0)
    beta0 = np.where(finite, np.exp(la) - np.exp(lb), 0.0)
    return np.where(finite, entropy_terms(beta0, la, lb), 0.0)


def ptft_balanced_terms(beta, beta_aux, rescale, readout_init, relative=True):
    """Per-feature exact PT+FT terms from balanced pretrained params (broadcast)."""
    beta, beta_aux = np.broadcast_arrays(beta, beta_aux)
    init = balanced_params(beta_aux)
    init[0] *= rescale
    init[2] *= rescale
    init[1] = readout_init
    init[3] = readout_init
    log_A, log_B = log_AB(init)
    terms = entropy_terms(beta, log_A, log_B)
    if relative:
        terms = terms - _value_at_init(log_A, log_B)
    return terms


def ptft_ideal_penalty(beta, beta_aux, rescale=1.0, readout_init=1e-3, reduce=True):
    """LL's idealised PT+FT penalty ``sum_d k_d q(beta_d / k_d)``, ``k_d = s^2 |beta_aux,d| + c^2``.

    ``s`` = ``rescale``, ``c`` = ``readout_init``. For ``c = 0`` it is jointly
    1-homogeneous in ``(beta, beta_aux)`` (``k`` scales like ``beta_aux`` and
    ``beta / k`` is invariant), so ℓ-order + feature dependence = 1 exactly;
    ``c > 0`` breaks this. Features with ``k = 0`` are frozen (``0`` at
    ``beta = 0``, ``inf`` elsewhere). See docs/penalties.md for how it compares
    with the exact :func:`ptft_penalty`.
    """
    beta = as_float_array(beta, "beta")
    beta_aux = as_float_array(beta_aux, "beta_aux")
    check_broadcast(beta, beta_aux)
    check_scalar(rescale, "rescale", low=0.0)
    check_scalar(readout_init, "readout_init", low=0.0, low_inclusive=True)
    k = rescale ** 2 * np.abs(beta_aux) + readout_init ** 2
    with np.errstate(divide="ignore"):
        log_k = np.log(k)
    return reduce_terms(entropy_terms(beta, log_k, log_k), reduce)
