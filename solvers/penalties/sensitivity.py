"""How a per-feature penalty responds: its l-order ``d ln R / d ln|beta|`` and feature
dependence ``d ln R / d ln|beta_aux|``, analytic or by finite differences."""
import numpy as np

from featreuse.errors import InputError, InputTypeError
from featreuse.validation import as_float_array, check_scalar
from .checks import check_broadcast
from .entropy import q, q_prime
from .relu import relu_ft_penalty
from .transfer import ptft_balanced_terms

_NAMED = ("mtl", "ptft", "ptft_ideal", "relu_ft")


def l_order(penalty, beta, beta_aux, step=1e-3, **params):
    """ℓ-order ``d ln R / d ln|beta|`` of a per-feature penalty ``R(beta, beta_aux)``.

    Parameters
    ----------
    penalty : str or callable
        ``"mtl"`` (:func:`mtl_conditional_penalty`, analytic:
        ``1 + |a| / sqrt(beta^2 + a^2)``), ``"ptft_ideal"``
        (:func:`ptft_ideal_penalty`, analytic: ``u q'(u) / q(u)``,
        ``u = beta / k``), ``"ptft"`` (exact PT+FT from
        :func:`balanced_params`, relative to its initial predictor, see
        :func:`ptft_penalty`) and ``"relu_ft"`` (:func:`relu_ft_penalty`,
        needs ``theta``), or a callable ``R(beta, beta_aux) -> ndarray``
        acting elementwise. The last two and callables use central
        differences of ``ln R`` in ``ln|beta|`` with one Richardson
        extrapolation (error ``O(step^4)``).
    beta, beta_aux : array_like
        Broadcast together; ``R`` must be positive and finite there.
    step : float
        Log-space step of the finite differences.
    **params
        ``rescale``, ``readout_init``, ``theta`` for the named penalties.

    Returns
    -------
    ndarray
        Same (broadcast) shape as ``beta`` and ``beta_aux``.
    """
    return _log_derivative(penalty, beta, beta_aux, step, params, wrt="beta")


def feature_dependence(penalty, beta, beta_aux, step=1e-3, **params):
    """Feature dependence ``d ln R / d ln|beta_aux|`` of a per-feature penalty.

    Same arguments as :func:`l_order`. Analytic for ``"mtl"``
    (``-|a| / sqrt(beta^2 + a^2)``) and ``"ptft_ideal"``
    (``(s^2|a| / k)(1 - order)``); finite differences otherwise. For jointly
    1-homogeneous penalties Euler's identity gives order + dependence = 1.
    """
    return _log_derivative(penalty, beta, beta_aux, step, params, wrt="beta_aux")


def _log_derivative(penalty, beta, beta_aux, step, params, wrt):
    beta = as_float_array(beta, "beta")
    beta_aux = as_float_array(beta_aux, "beta_aux")
    check_broadcast(beta, beta_aux)
    check_scalar(step, "step", low=0.0, high=0.5)
    if isinstance(penalty, str):
        if penalty not in _NAMED:
            raise InputError(
                f"penalty must be one of {list(_NAMED)} or a callable, got {penalty!r}")
        allowed = {"mtl": set(), "ptft_ideal": {"rescale", "readout_init"},
                   "ptft": {"rescale", "readout_init"},
                   "relu_ft": {"theta", "readout_init"}}[penalty]
        extra = set(params) - allowed
        if extra:
            raise InputError(f"unexpected parameters {sorted(extra)} for penalty {penalty!r}")
        if penalty == "mtl":
            return _mtl_log_derivative(beta, beta_aux, wrt)
        if penalty == "ptft_ideal":
            return _ptft_ideal_log_derivative(beta, beta_aux, wrt,
                                              params.get("rescale", 1.0),
                                              params.get("readout_init", 1e-3))
        if penalty == "ptft":
            s = check_scalar(params.get("rescale", 1.0), "rescale", low=0.0)
            c = check_scalar(params.get("readout_init", 1e-3), "readout_init", low=0.0,
                             low_inclusive=True)

            def func(b, a):
                return ptft_balanced_terms(b, a, s, c)
        else:
            if "theta" not in params:
                raise InputError("penalty 'relu_ft' needs theta=")
            theta, c = params["theta"], params.get("readout_init", 1e-3)

            def func(b, a):
                return relu_ft_penalty(b, a, theta, c, reduce=False)
    elif callable(penalty):
        if params:
            raise InputError("keyword parameters are only for named penalties")
        func = penalty
    else:
        raise InputTypeError(f"penalty must be a name or a callable, got {type(penalty).__name__}")

    def log_r(h):
        if wrt == "beta":
            val = func(beta * np.exp(h), beta_aux)
        else:
            val = func(beta, beta_aux * np.exp(h))
        return np.log(np.asarray(val, dtype=np.float64))

    def central(h):
        return (log_r(h) - log_r(-h)) / (2.0 * h)

    with np.errstate(divide="ignore", invalid="ignore"):
        out = (4.0 * central(step / 2.0) - central(step)) / 3.0
    return out[()] if out.ndim == 0 else out


def _mtl_log_derivative(beta, beta_aux, wrt):
    a = np.abs(beta_aux)
    r = np.hypot(beta, a)
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(r > 0, a / r, np.nan)
    out = 1.0 + frac if wrt == "beta" else -frac
    return out[()] if out.ndim == 0 else out


def _ptft_ideal_log_derivative(beta, beta_aux, wrt, rescale, readout_init):
    check_scalar(rescale, "rescale", low=0.0)
    check_scalar(readout_init, "readout_init", low=0.0, low_inclusive=True)
    ks = rescale ** 2 * np.abs(beta_aux)
    k = ks + readout_init ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        u = beta / k
        qu = q(u)
        # u q'(u) / q(u); -> 2 as u -> 0 (q ~ u^2/4): use the series there
        small = np.abs(u) < 1e-4
        order = np.where(small, 2.0 - u * u / 24.0, u * q_prime(u) / np.where(small, 1.0, qu))
        if wrt == "beta":
            out = order
        else:
            out = np.where(k > 0, ks / np.where(k > 0, k, 1.0), np.nan) * (1.0 - order)
    out = np.asarray(out, dtype=np.float64)
    return out[()] if out.ndim == 0 else out
