"""Distance of a trained diagonal network to the minimiser of its convex program.

Each training regime has a convex program whose minimiser the trained predictor
should be (docs/certification.md lists them with the reason):

========== ============================== ==========================================
kind       trained                         program
========== ============================== ==========================================
stl        single-task flow from ``init`` :func:`featreuse.solvers.convex.implicit_bias` (exact)
ptft       finetuning flow (s, c)          implicit_bias of the finetuning init (exact)
ptft_ideal finetuning flow (s, c)          LL's idealised :func:`ptft_ideal` (gap)
stl_lp     readout-only flow               weighted min-ell2 :func:`min_l2` (exact)
ptft_lp    readout-only finetuning flow    weighted min-ell2 of the finetuning init (exact)
mtl        small-init multi-task flow      :func:`min_l12` (gap, measured vs alpha)
mtl_wd     multi-task with weight decay    :func:`group_lasso` with ``lam = 2 lambda`` (exact)
gd         gradient descent                the exact flow end of the same init (gap)
========== ============================== ==========================================
"""
import time

import numpy as np

from featreuse.errors import InputError, InputTypeError
from ..results import MultiResult, SingleResult
from featreuse.validation import as_float_array, check_choice, check_data, check_task_list
from .certificate import Certificate
from .programs import PROGRAMS
from .reference_solver import laddered

KINDS = ("stl", "ptft", "ptft_ideal", "stl_lp", "ptft_lp", "mtl", "mtl_wd", "gd")

# Parameters each kind reads (besides the data); anything else is an error.
_PARAMS = {
    "stl": ("init",),
    "gd": ("init", "train"),
    "stl_lp": ("init",),
    "ptft": ("pretrained", "rescale", "readout_init"),
    "ptft_lp": ("pretrained", "rescale", "readout_init"),
    "ptft_ideal": ("pretrained", "beta_aux", "rescale", "readout_init"),
    "mtl": (),
    "mtl_wd": ("weight_decay", "sample_weights"),
}
# Trainer defaults (solvers.train_single / finetune).
_DEFAULTS = {"init": 1e-3, "rescale": 1.0, "readout_init": 1e-3, "train": "all"}
# (kind, method) pairs whose distance is zero in theory.
_EXACT_KINDS = ("stl", "ptft", "stl_lp", "ptft_lp")


def _trained(beta_trained):
    """(beta, method or None, result or None) from an array or a trainer result."""
    if isinstance(beta_trained, (SingleResult, MultiResult)):
        return np.asarray(beta_trained.beta, dtype=float), beta_trained.method, beta_trained
    return as_float_array(beta_trained, "beta_trained"), None, None


def _single_data(X, y, beta):
    X, y = check_data(X, y)
    if beta.shape != (X.shape[1],):
        raise InputError(f"beta_trained must have shape ({X.shape[1]},) to match X, "
                         f"got {beta.shape}")
    return X, y


def _multi_data(X, y, X_aux, y_aux, beta):
    if isinstance(X, (list, tuple)):
        if X_aux is not None or y_aux is not None:
            raise InputError("X_aux, y_aux: give either task lists X, y or X_aux, y_aux with "
                             "the main task's arrays, not both")
        Xs, ys = check_task_list(X, y, "X", "y")
    else:
        if X_aux is None or y_aux is None:
            raise InputError("X_aux, y_aux: multi-task certification needs every task; pass "
                             "lists X = [X_aux, X_main], y = [y_aux, y_main] or X_aux, y_aux")
        Xs, ys = check_task_list([X_aux, X], [y_aux, y], "X", "y")
    shape = (Xs[0].shape[1], len(Xs))
    if beta.shape != shape:
        raise InputError(f"beta_trained must have shape {shape} (one column per task), "
                         f"got {beta.shape}")
    return Xs, ys


def _resolve_params(kind, settings, params, result):
    """Merge trainer settings (lenient) and explicit params (strict) for ``kind``."""
    allowed = _PARAMS[kind]
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise InputError(f"{unknown[0]}: not a parameter of kind {kind!r} "
                         f"(accepted: {', '.join(allowed) or 'none'})")
    if settings is not None and not isinstance(settings, dict):
        raise InputTypeError(f"settings must be a dict of trainer settings, "
                             f"got {type(settings).__name__}")
    merged = {k: v for k, v in (settings or {}).items() if k in allowed}
    if isinstance(result, MultiResult):
        merged.setdefault("weight_decay", result.weight_decay)
        merged.setdefault("sample_weights", result.sample_weights)
    merged.update(params)
    for k in allowed:
        if k in _DEFAULTS:
            merged.setdefault(k, _DEFAULTS[k])
    return merged



def distance_to_program(kind, beta_trained, X, y, *, method=None, case=None, backend="cvxpy",
                        solver=None, solver_options=None, settings=None, X_aux=None,
                        y_aux=None, **params):
    """Distance of a trained predictor to the minimiser of its convex program.

    Parameters
    ----------
    kind : str
        One of :data:`KINDS` (see the module table): which program to solve.
    beta_trained : array_like (D,) or (D, T), or SingleResult / MultiResult
        The trained predictor; a result object also gives ``method`` and, for
        multi-task results, ``weight_decay`` and ``sample_weights``.
    X, y : array_like (n, D), (n,), or lists of T such arrays (multi-task)
        Training data of ``beta_trained`` (for ``ptft*``: the finetuning data).
        Multi-task kinds also accept the main task's arrays with ``X_aux, y_aux``
        (the task order is then ``[aux, main]``).
    method : str, optional
        Label of how ``beta_trained`` was trained (default: the result's
        method, else ``"flow"``). Rows are exact only for flow-trained
        ``stl, ptft, stl_lp, ptft_lp`` and for ``mtl_wd``.
    case : str, optional
        Row label (default: ``kind``).
    backend : {"cvxpy", "fast"}
        Backend of the convex program. ``"cvxpy"`` (default) is independent
        of the trainers; the fast entropy backend shares its Newton solver with
        the exact flow and so cannot certify it.
    solver, solver_options
        cvxpy solver and options (default: Clarabel with :data:`SOLVER_OPTIONS`).
    settings : dict, optional
        Trainer settings (e.g. a sweep's ``{"init": 1e-3, "rescale": 0.1}``);
        keys the kind does not use are ignored.
    X_aux, y_aux : array_like, optional
        Auxiliary task of a multi-task run.
    **params
        The kind's parameters (unknown names raise :class:`InputError`):

        - ``stl``, ``stl_lp``: ``init`` (alpha or (4, D); default 1e-3);
        - ``gd``: ``init`` and ``train`` ("all" or "readout"); compared with the
          exact flow end of that init;
        - ``ptft``, ``ptft_lp``: ``pretrained`` (4, D) or SingleResult,
          ``rescale`` s (default 1), ``readout_init`` c (default 1e-3);
        - ``ptft_ideal``: ``beta_aux`` (D,) or ``pretrained``, ``rescale``, ``readout_init``;
        - ``mtl_wd``: ``weight_decay`` lambda > 0 and ``sample_weights`` (T,)
          per-sample weights omega_t (default ``1/N``, LL).

    Returns
    -------
    solvers.certify.Certificate
        ``float(certificate)`` is the distance.

    Raises
    ------
    InputError, InputTypeError
        Unknown kind or parameter, shapes that do not match.
    InfeasibleError, SolverError
        From the convex program.
    """
    check_choice(kind, KINDS, "kind")
    check_choice(backend, ("cvxpy", "fast"), "backend")
    beta, trained_method, result = _trained(beta_trained)
    p = _resolve_params(kind, settings, params, result)
    if kind in ("mtl", "mtl_wd"):
        X, y = _multi_data(X, y, X_aux, y_aux, beta)
    else:
        if X_aux is not None or y_aux is not None:
            raise InputError(f"X_aux, y_aux: only multi-task kinds use them, not {kind!r}")
        if beta.ndim == 2 and beta.shape[1] == 2 and isinstance(result, MultiResult):
            raise InputError("beta_trained: a multi-task result needs kind 'mtl' or 'mtl_wd'")
        X, y = _single_data(X, y, beta)
    if method is None:
        method = trained_method or (settings or {}).get("method") or "flow"
    if not isinstance(method, str):
        raise InputTypeError(f"method must be a string label, got {type(method).__name__}")
    if kind == "mtl" and p.get("weight_decay"):
        raise InputError("weight_decay: a weight-decayed multi-task run is certified by kind "
                         "'mtl_wd'")
    t0 = time.perf_counter()
    (program, res, pen_trained, pen_convex), solver_tol = laddered(
        lambda opts: PROGRAMS[kind](beta, X, y, p, opts.get("backend", backend), opts),
        backend, solver, solver_options, fast_fallback=kind in ("stl", "ptft", "ptft_ideal"))
    wall = time.perf_counter() - t0
    beta_c = np.asarray(res.beta, dtype=float)
    scale = float(np.linalg.norm(beta_c))
    diff = float(np.linalg.norm(beta - beta_c))
    distance = diff / scale if scale > 0 else diff
    exact = ((kind in _EXACT_KINDS and method.startswith(("flow", "implicit_bias")))
             or kind == "mtl_wd") \
        and "stopped" not in method
    shown = {k: v for k, v in p.items() if k not in ("pretrained", "beta_aux", "sample_weights")}
    if isinstance(shown.get("init"), np.ndarray):
        shown["init"] = "array"
    info = {"certificate_kind": res.certificate_kind, "solver": res.solver,
            "convex_residual": float(res.primal_residual), "solver_tol": solver_tol}
    info.update({k: v for k, v in res.info.items()
                 if k in ("polished", "cvxpy_gap", "trained_kkt")})
    if kind not in ("mtl", "mtl_wd"):
        ny = float(np.linalg.norm(y))
        info["trained_residual"] = float(np.linalg.norm(X @ beta - y) / ny) if ny > 0 else 0.0
    return Certificate(case=case or kind, method=method, program=program, distance=distance,
                       penalty_trained=float(pen_trained), penalty_convex=float(pen_convex),
                       certificate=float(res.certificate), wall_s=wall, params=shown,
                       exact=exact, kind=kind, info=info)
