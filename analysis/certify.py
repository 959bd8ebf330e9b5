"""Certification: is a trained diagonal network the minimiser of its convex program?

Each training regime of the project has a convex program whose minimiser the
trained predictor should be (docs/certification.md lists them with the reason):

========== ============================== ==========================================
kind       trained                         program
========== ============================== ==========================================
stl        single-task flow from ``init`` :func:`solvers.convex.implicit_bias` (exact)
ptft       finetuning flow (s, c)          implicit_bias of the finetuning init (exact)
ptft_ideal finetuning flow (s, c)          LL's idealised :func:`ptft_ideal` (gap)
stl_lp     readout-only flow               weighted min-ell2 :func:`min_l2` (exact)
ptft_lp    readout-only finetuning flow    weighted min-ell2 of the finetuning init (exact)
mtl        small-init multi-task flow      :func:`min_l12` (gap, measured vs alpha)
mtl_wd     multi-task with weight decay    :func:`group_lasso` with ``lam = 2 lambda`` (exact)
gd         gradient descent                the exact flow end of the same init (gap)
========== ============================== ==========================================

:func:`distance_to_program` measures one trained predictor against its program;
:func:`certification_cases` builds the table that ``featreuse check`` prints.
A row is *exact* when theory says the distance is zero: it then fails above
:data:`EXACT_TOL`. The other rows are measurements of a known gap.
"""
import argparse
import json
import math
import time
import warnings
from dataclasses import asdict, dataclass, field

import numpy as np

from solvers import diagonal, penalties
from solvers.errors import InputError, InputTypeError
from solvers.results import MultiResult, SingleResult
from solvers.validation import (as_float_array, check_choice, check_data, check_scalar,
                                check_task_list)

#: Relative distance above which an exact row fails.
EXACT_TOL = 1e-6

#: Clarabel settings used for certification. Clarabel's defaults (relative gap
#: 1e-8) leave a relative error of beta up to ~6e-4 on the entropy dual at
#: D = 1000, alpha = 1 (measured, docs/certification.md): too loose to certify
#: 1e-6, so the tolerances are tightened.
#: Clarabel may stop at "optimal_inaccurate" under them; the program is then
#: re-solved with the next, looser settings of :data:`SOLVER_LADDER` (the row's
#: ``info["solver_tol"]`` says which one answered).
SOLVER_OPTIONS = {"tol_gap_abs": 1e-12, "tol_gap_rel": 1e-12, "tol_feas": 1e-12,
                  "tol_ktratio": 1e-10, "max_iter": 500}
#: Largest KKT residual of a cvxpy entropy reference that certifies an exact row.
REFERENCE_KKT = EXACT_TOL / 10
SOLVER_LADDER = (SOLVER_OPTIONS,
                 {"tol_gap_abs": 1e-10, "tol_gap_rel": 1e-10, "tol_feas": 1e-10,
                  "tol_ktratio": 1e-8, "max_iter": 500},
                 {})

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
    "mtl_wd": ("weight_decay", "task_weights"),
}
# Trainer defaults (solvers.train_single / finetune).
_DEFAULTS = {"init": 1e-3, "rescale": 1.0, "readout_init": 1e-3, "train": "all"}
# (kind, method) pairs whose distance is zero in theory.
_EXACT_KINDS = ("stl", "ptft", "stl_lp", "ptft_lp")


@dataclass
class Certificate:
    """Distance of one trained predictor to the minimiser of a convex program.

    Attributes
    ----------
    case : str
        Row label, e.g. ``"stl alpha=1e-03"``.
    method : str
        How the predictor was trained (``"flow"``, ``"gd"``, ``"flow (readout)"``...).
    program : str
        The convex program and backend, e.g. ``"implicit_bias[cvxpy]"``.
    distance : float
        ``||beta_trained - beta_convex|| / ||beta_convex||`` (Frobenius norm for
        multi-task (D, T) predictors); dimensionless.
    penalty_trained, penalty_convex : float
        The program's objective at the trained and at the convex predictor
        (the trained one is feasible only up to the training residual).
    certificate : float
        The convex solver's own optimality certificate (relative KKT residual
        or duality gap, see ``info["certificate_kind"]``).
    wall_s : float
        Seconds spent solving the program (training not included).
    params : dict
        The row's parameters (alpha, s, c, lambda, sizes...).
    exact : bool
        Theory says ``distance = 0``; the row fails above ``tolerance``.
    kind : str
        One of :data:`KINDS`.
    tolerance : float
        Failure threshold of exact rows.
    info : dict
        Extras: the certificate kind, solver, training residual, ...
    """

    case: str
    method: str
    program: str
    distance: float
    penalty_trained: float
    penalty_convex: float
    certificate: float
    wall_s: float
    params: dict = field(default_factory=dict)
    exact: bool = False
    kind: str = ""
    tolerance: float = EXACT_TOL
    info: dict = field(default_factory=dict)

    @property
    def status(self):
        """``"ok"`` / ``"FAIL"`` for exact rows, ``"measured"`` otherwise."""
        if not self.exact:
            return "measured"
        return "ok" if np.isfinite(self.distance) and self.distance <= self.tolerance else "FAIL"

    @property
    def failed(self):
        """True for an exact row whose distance exceeds its tolerance (or is not finite)."""
        return self.status == "FAIL"

    def __float__(self):
        return float(self.distance)

    def as_dict(self):
        """JSON-ready dict of the row (numpy scalars made plain, arrays dropped)."""
        out = asdict(self)
        out["status"] = self.status
        out["params"] = _plain(self.params)
        out["info"] = _plain(self.info)
        return out


def _plain(d):
    out = {}
    for k, v in d.items():
        if isinstance(v, np.ndarray):
            if v.size > 16:
                continue
            v = v.tolist()
        elif isinstance(v, np.generic):
            v = v.item()
        elif isinstance(v, dict):
            v = _plain(v)
        elif not isinstance(v, (int, float, str, bool, list, type(None))):
            v = str(v)
        out[k] = v
    return out


# ---------------------------------------------------------------------------- inputs
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
        merged.setdefault("task_weights", result.task_weights)
    merged.update(params)
    for k in allowed:
        if k in _DEFAULTS:
            merged.setdefault(k, _DEFAULTS[k])
    return merged


def _pretrained_params(p, D):
    pre = p.get("pretrained")
    if pre is None:
        raise InputError("pretrained: PT+FT certification needs the pretrained params (4, D)")
    if isinstance(pre, SingleResult):
        pre = pre.params
    pre = as_float_array(pre, "pretrained", ndim=2)
    if pre.shape != (4, D):
        raise InputError(f"pretrained must have shape (4, {D}), got {pre.shape}")
    return pre


# ---------------------------------------------------------------------------- programs
def _convex():
    # imported on use: the convex package is heavy (cvxpy)
    from solvers import convex
    return convex


def _solve_opts(backend, solver, solver_options):
    # the multi-task programs carry their own tight Clarabel defaults (None selects them)
    return {"backend": backend, "solver": solver, "solver_options": SOLVER_OPTIONS if solver_options is None
            else solver_options, "mtl_options": solver_options}


def _single_kw(opts):
    return {"solver": opts["solver"], "solver_options": opts["solver_options"]}


def _laddered(call, backend, solver, solver_options, fast_fallback=False):
    """Run ``call(opts)``; with default cvxpy settings, retry looser on an inaccurate stop.

    Returns ``(result, tolerance label)``.
    """
    from solvers.errors import SolverError
    if backend != "cvxpy" or solver_options is not None or solver is not None:
        return call(_solve_opts(backend, solver, solver_options)), "given"
    last = None
    for i, rung in enumerate(SOLVER_LADDER):
        opts = _solve_opts(backend, solver, rung)
        opts["mtl_options"] = None if i == 0 else rung  # MTL programs: own defaults first
        try:
            out = call(opts)
        except SolverError as exc:
            if exc.status != "optimal_inaccurate":
                raise
            last = exc
            continue
        # An entropy reference whose own KKT residual is above REFERENCE_KKT cannot
        # certify a row at EXACT_TOL (Clarabel's looser rungs can end "optimal" at
        # ~1e-6): it counts as inaccurate.
        if fast_fallback and not out[1].certificate <= REFERENCE_KKT:
            last = SolverError(f"cvxpy reference KKT residual {out[1].certificate:.1e} > "
                               f"{REFERENCE_KKT:g}", "optimal_inaccurate")
            continue
        return out, rung.get("tol_gap_rel", "default")
    if not fast_fallback:
        raise last
    # Clarabel cannot reach optimality on this (badly scaled) entropy dual: fall back to
    # the Newton backend. It shares its solver with the exact flow, so such a row rests on
    # the trained predictor's own KKT residual (info["trained_kkt"]), not on the distance.
    return call(_solve_opts("fast", None, None)), "cvxpy inaccurate: fast"


def _entropy_case(X, y, beta, init, backend, opts):
    convex = _convex()
    res = convex.implicit_bias(X, y, init=init, backend=backend, **_single_kw(opts))
    _trained_kkt(res, X, y, beta, diagonal.single_init(init, X.shape[1]))
    pen = penalties.entropy_penalty
    return res, float(pen(beta, init)), float(pen(res.beta, init))


def _trained_kkt(res, X, y, beta, init=None, log_AB=None):
    """Store the (P-ent) KKT residual of the *trained* predictor in ``res.info``.

    Independent of any solver: interpolation plus stationarity of the trained
    beta (``phi'(beta)`` in the row space of X).
    """
    log_A, log_B = diagonal.log_AB(init) if log_AB is None else log_AB
    res.info["trained_kkt"] = float(_convex().entropy_certificate(X, y, beta, log_A, log_B)["kkt"])


def _program_stl(beta, X, y, p, backend, opts):
    res, pt, pc = _entropy_case(X, y, beta, p["init"], backend, opts)
    return f"implicit_bias[{backend}]", res, pt, pc


def _finetune_init_of(p, D):
    """The finetuning init (4, D) of a case's pretrained params, rescale and readout_init."""
    pre = _pretrained_params(p, D)
    return diagonal.finetune_init(pre, p["rescale"], p["readout_init"], name="pretrained")


def _program_ptft(beta, X, y, p, backend, opts):
    res, pt, pc = _entropy_case(X, y, beta, _finetune_init_of(p, X.shape[1]), backend, opts)
    return f"implicit_bias(ft init)[{backend}]", res, pt, pc


def _program_ptft_ideal(beta, X, y, p, backend, opts):
    if p.get("beta_aux") is not None:
        beta_aux = as_float_array(p["beta_aux"], "beta_aux", ndim=1)
    else:
        beta_aux = diagonal.beta_single(_pretrained_params(p, X.shape[1]))
    s, c = p["rescale"], p["readout_init"]
    res = _convex().ptft_ideal(X, y, beta_aux, rescale=s, readout_init=c, backend=backend,
                               **_single_kw(opts))
    with np.errstate(divide="ignore"):
        log_k = np.log(s ** 2 * np.abs(beta_aux) + c ** 2)
    _trained_kkt(res, X, y, beta, log_AB=(log_k, log_k))
    pen = penalties.ptft_ideal_penalty
    return (f"ptft_ideal[{backend}]", res, float(pen(beta, beta_aux, s, c)),
            float(pen(res.beta, beta_aux, s, c)))


def _lp_program(beta, X, y, init, backend, opts):
    # readout-only flow: beta - beta0 stays in diag(W) row(X), W = w+^2 + w-^2, so the
    # end is the interpolant nearest beta0 in sum (beta - beta0)^2 / W (docs/theory.md)
    W = init[0] ** 2 + init[2] ** 2
    if np.any(W <= 0):
        raise InputError("init: readout-only training needs w+^2 + w-^2 > 0 on every feature")
    beta0 = diagonal.beta_single(init)
    res = _convex().min_l2(X, y, weights=1.0 / W, center=beta0, backend=backend, **_single_kw(opts))

    def pen(b):
        return float(np.sum((b - beta0) ** 2 / W))

    return res, pen(beta), pen(res.beta)


def _program_stl_lp(beta, X, y, p, backend, opts):
    init = diagonal.single_init(p["init"], X.shape[1])
    res, pt, pc = _lp_program(beta, X, y, init, backend, opts)
    return f"min_l2(1/W, beta0)[{backend}]", res, pt, pc


def _program_ptft_lp(beta, X, y, p, backend, opts):
    res, pt, pc = _lp_program(beta, X, y, _finetune_init_of(p, X.shape[1]), backend, opts)
    return f"min_l2(1/W, beta0)(ft init)[{backend}]", res, pt, pc


def _program_mtl(beta, Xs, ys, p, backend, opts):
    res = _convex().min_l12(Xs, ys, backend=backend, solver=opts["solver"],
                            solver_options=opts["mtl_options"])
    return (f"min_l12[{backend}]", res, float(penalties.l12(beta)),
            float(penalties.l12(res.beta)))


def mtl_weight_decay_objective(B, Xs, ys, weight_decay, task_weights):
    """``sum_t omega_t ||X_t beta_t - y_t||^2 + 2 lambda ||B||_{1,2}``.

    The global minimum over beta of the weight-decayed multi-task loss
    ``sum_t omega_t ||X_t beta_t - y_t||^2 + lambda ||theta||^2`` (per feature,
    ``min w^2 + ||v||^2`` over ``w v = b`` is ``2 ||b||``; docs/certification.md).

    Parameters
    ----------
    B : ndarray (D, T)
    Xs, ys : lists of T arrays (n_t, D), (n_t,)
    weight_decay : float
        lambda.
    task_weights : ndarray (T,)
        Per-sample weights omega_t.
    """
    data = sum(w * float(np.sum((X @ B[:, t] - y) ** 2))
               for t, (X, y, w) in enumerate(zip(Xs, ys, task_weights)))
    return data + 2.0 * weight_decay * float(penalties.l12(B))


def _program_mtl_wd(beta, Xs, ys, p, backend, opts):
    lam = p.get("weight_decay")
    if lam is None:
        raise InputError("weight_decay: kind 'mtl_wd' needs the weight decay lambda > 0")
    check_scalar(lam, "weight_decay", low=0.0)
    omega = p.get("task_weights")
    ns = np.array([X.shape[0] for X in Xs], dtype=float)
    omega = np.full(len(Xs), 1.0 / ns.sum()) if omega is None else \
        as_float_array(omega, "task_weights", ndim=1)
    if omega.shape != (len(Xs),) or np.any(omega < 0):
        raise InputError(f"task_weights must be {len(Xs)} per-sample weights >= 0")
    convex = _convex()
    # group_lasso weighs task t's squared errors by task_weights[t] / n_t, so the
    # per-sample weight omega_t is the task weight omega_t n_t; it has one (cvxpy) backend
    res = convex.group_lasso(Xs, ys, 2.0 * lam, task_weights=omega * ns,
                             solver=opts.get("solver"), solver_options=opts.get("mtl_options"))
    B, polished = polish_group_lasso(Xs, ys, np.asarray(res.beta, dtype=float), 2.0 * lam, omega)
    gap = convex.group_lasso_certificate(Xs, ys, B, 2.0 * lam, omega)[0]
    res = _FlowAsProgram(B, max(gap, 0.0), res.wall_s, "duality_gap", res.solver,
                         res.primal_residual, {"polished": polished, "cvxpy_gap": res.certificate})
    obj = mtl_weight_decay_objective
    return ("group_lasso(2 lambda)[cvxpy+newton]" if polished else "group_lasso(2 lambda)[cvxpy]",
            res, obj(beta, Xs, ys, lam, omega), obj(B, Xs, ys, lam, omega))


def polish_group_lasso(Xs, ys, B, lam, omega, max_iter=50):
    """Newton polish of a group-lasso solution on its support.

    On the support S (rows with ``||B_d|| > 0``) the objective
    ``sum_t omega_t ||X_t b_t - y_t||^2 + lam sum_{d in S} ||b_d||`` is smooth;
    damped Newton on it reaches machine precision where the interior-point
    solution is accurate to ~1e-6 only (its relative duality gap ~1e-11 leaves
    flat directions loose). The polish is kept only if the rows off S still
    satisfy ``||g_d|| <= lam`` (the subgradient condition) and the objective
    does not rise.

    Parameters
    ----------
    Xs, ys : lists of T arrays (n_t, D), (n_t,)
    B : ndarray (D, T)
        Solution to polish.
    lam : float
        Group penalty (``2 lambda`` for weight decay lambda).
    omega : ndarray (T,)
        Per-sample weights.

    Returns
    -------
    (B, polished) : (ndarray (D, T), bool)
    """
    T = len(Xs)
    norms = np.sqrt(np.sum(B * B, axis=1))
    S = np.flatnonzero(norms > 1e-7 * max(float(norms.max()), 1e-300))
    if S.size == 0:
        return B, False
    m = S.size
    XS = [X[:, S] for X in Xs]
    H_data = np.zeros((m * T, m * T))
    for t in range(T):
        H_data[t * m:(t + 1) * m, t * m:(t + 1) * m] = 2.0 * omega[t] * (XS[t].T @ XS[t])

    def f_grad(b):  # b (m, T)
        r = [XS[t] @ b[:, t] - ys[t] for t in range(T)]
        nb = np.sqrt(np.sum(b * b, axis=1))
        f = sum(omega[t] * float(r[t] @ r[t]) for t in range(T)) + lam * float(nb.sum())
        g = np.stack([2.0 * omega[t] * (XS[t].T @ r[t]) for t in range(T)], axis=1)
        return f, g + lam * b / nb[:, None], nb

    b = B[S].copy()
    f, g, nb = f_grad(b)
    f0 = f
    for _ in range(max_iter):
        H = H_data.copy()
        for i in range(m):
            blk = lam * (np.eye(T) / nb[i] - np.outer(b[i], b[i]) / nb[i] ** 3)
            idx = i + m * np.arange(T)
            H[np.ix_(idx, idx)] += blk
        gv = g.T.reshape(-1)
        try:
            step = -np.linalg.solve(H, gv)
        except np.linalg.LinAlgError:
            break
        step = step.reshape(T, m).T
        t_ls, done = 1.0, False
        for _ in range(40):
            b_new = b + t_ls * step
            f_new, g_new, nb_new = f_grad(b_new)
            if np.all(nb_new > 0) and (f_new <= f or np.linalg.norm(g_new) < np.linalg.norm(g)):
                done = True
                break
            t_ls *= 0.5
        if not done:
            break
        converged = np.linalg.norm(g_new) >= 0.5 * np.linalg.norm(g)  # no more progress
        b, f, g, nb = b_new, f_new, g_new, nb_new
        if converged and np.linalg.norm(g) <= 1e-12 * max(1.0, lam * np.sqrt(m)):
            break
    out = np.zeros_like(B)
    out[S] = b
    # subgradient condition on the rows left at zero
    G = np.stack([2.0 * omega[t] * (Xs[t].T @ (Xs[t] @ out[:, t] - ys[t])) for t in range(T)],
                 axis=1)
    off = np.setdiff1d(np.arange(B.shape[0]), S)
    if off.size and np.max(np.sqrt(np.sum(G[off] ** 2, axis=1))) > lam * (1 + 1e-9):
        return B, False
    if f > f0 * (1 + 1e-12):
        return B, False
    return out, True


def _program_gd(beta, X, y, p, backend, opts):
    from solvers import train_single
    init = diagonal.single_init(p["init"], X.shape[1])
    check_choice(p["train"], ("all", "readout"), "train")
    t0 = time.perf_counter()
    end = train_single(X, y, init=init, method="flow", train=p["train"])
    # present the flow end like a convex result
    res = _FlowAsProgram(end.beta, float(end.info.get("residual", math.sqrt(end.loss))),
                         time.perf_counter() - t0)
    if p["train"] == "readout":
        W = init[0] ** 2 + init[2] ** 2
        beta0 = diagonal.beta_single(init)
        pen = lambda b: float(np.sum((b - beta0) ** 2 / W))  # noqa: E731
    else:
        pen = lambda b: float(penalties.entropy_penalty(b, init))  # noqa: E731
    return "flow_end", res, pen(beta), pen(end.beta)


@dataclass
class _FlowAsProgram:
    """A minimiser computed outside :mod:`solvers.convex`, shaped like a ConvexResult."""

    beta: np.ndarray
    certificate: float
    wall_s: float
    certificate_kind: str = "flow_residual"
    solver: str = "reduced_flow"
    primal_residual: float = float("nan")
    info: dict = field(default_factory=dict)


_PROGRAMS = {"stl": _program_stl, "ptft": _program_ptft, "ptft_ideal": _program_ptft_ideal,
             "stl_lp": _program_stl_lp, "ptft_lp": _program_ptft_lp, "mtl": _program_mtl,
             "mtl_wd": _program_mtl_wd, "gd": _program_gd}


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
        multi-task results, ``weight_decay`` and ``task_weights``.
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
        - ``mtl_wd``: ``weight_decay`` lambda > 0 and ``task_weights`` (T,)
          per-sample weights omega_t (default ``1/N``, LL).

    Returns
    -------
    Certificate
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
    (program, res, pen_trained, pen_convex), solver_tol = _laddered(
        lambda opts: _PROGRAMS[kind](beta, X, y, p, opts.get("backend", backend), opts),
        backend, solver, solver_options, fast_fallback=kind in ("stl", "ptft", "ptft_ideal"))
    wall = time.perf_counter() - t0
    beta_c = np.asarray(res.beta, dtype=float)
    scale = float(np.linalg.norm(beta_c))
    diff = float(np.linalg.norm(beta - beta_c))
    distance = diff / scale if scale > 0 else diff
    exact = ((kind in _EXACT_KINDS and method.startswith(("flow", "implicit_bias")))
             or kind == "mtl_wd") \
        and "stopped" not in method
    shown = {k: v for k, v in p.items() if k not in ("pretrained", "beta_aux", "task_weights")}
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


# ---------------------------------------------------------------------------- the case table
#: Problem sizes: quick (CI, < ~60 s on 2 cores) and full (LL's sizes where affordable).
SIZES = {
    True: {"seed": 0, "D": 100, "k_aux": 10, "k": 5, "overlap": 3, "n_aux": 48, "n": 24,
           "wd": {"D": 40, "k_aux": 8, "k": 4, "overlap": 2, "n_aux": 16, "n": 8}},
    False: {"seed": 0, "D": 1000, "k_aux": 40, "k": 20, "overlap": 10, "n_aux": 1024, "n": 64,
            "wd": {"D": 100, "k_aux": 10, "k": 5, "overlap": 3, "n_aux": 40, "n": 20},
            # the multi-task flow on N = 1088 samples takes minutes per alpha: fewer aux samples
            "mtl": {"D": 1000, "k_aux": 40, "k": 20, "overlap": 10, "n_aux": 256, "n": 64}},
}
#: Grids of the table.
GRIDS = {
    True: {"stl_alpha": (1e-3, 1e-1, 1.0), "mtl_alpha": (1e-1, 1e-2, 1e-3),
           "ptft_sc": ((1.0, 1e-3), (0.1, 1e-4)), "wd": (1e-2,)},
    False: {"stl_alpha": (1e-4, 1e-3, 1e-2, 1e-1, 1.0), "mtl_alpha": (1e-1, 1e-2, 1e-3, 1e-4),
            "ptft_sc": tuple((s, c) for s in (1.0, 0.1, 0.01, 0.001) for c in (1e-3, 1e-6)),
            "wd": (1e-2, 1e-3)},
}
#: LL's learning rates: 0.1 for single-task training and finetuning, 0.5 for pretraining.
LR, LR_PRETRAIN = 0.1, 0.5
#: LL's init scale of pretraining and of the default single-task network.
ALPHA = 1e-3
#: Weight-decay runs stop when the squared gradient norm is below this (stationarity).
WD_TOL = 1e-16
#: Step budget of a weight-decayed flow (a row that runs out is measured, not exact).
WD_MAX_STEPS = 60_000


@dataclass
class Case:
    """One group of rows of the certification table.

    Attributes
    ----------
    name : str
        Group name (e.g. ``"stl"``, ``"mtl_wd"``).
    description : str
        What is compared.
    exact : bool
        Whether the group's rows are exact (fail above :data:`EXACT_TOL`).
    run : callable
        ``run() -> list[Certificate]``: trains and certifies.
    """

    name: str
    description: str
    exact: bool
    run: object


class _Data:
    """Data of the table (LL's teacher tasks), built on first use and shared by cases."""

    def __init__(self, quick):
        self.quick = quick
        self.sizes = SIZES[quick]
        self._cache = {}

    def _get(self, key, make):
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def tasks(self, which="main"):
        """``(Xa, ya, X, y, teacher)`` of the main table (``"main"``) or the weight-decay problem."""
        from . import tasks

        def make():
            s = self.sizes if which == "main" else self.sizes.get(which, self.sizes)
            t = tasks.make_teacher(self.sizes["seed"], D=s["D"], k_aux=s["k_aux"], k=s["k"],
                                   overlap=s["overlap"])
            Xa, ya = tasks.aux_data(self.sizes["seed"], t, s["n_aux"])
            X, y = tasks.main_data(self.sizes["seed"], t, s["n"])
            return Xa, ya, X, y, t
        return self._get(("tasks", which), make)

    def pretrained(self, method="flow"):
        """Pretrained single-task result on the auxiliary task (LL: alpha = 1e-3)."""
        from solvers import train_single
        Xa, ya = self.tasks()[:2]
        lr = LR_PRETRAIN
        return self._get(("pre", method), lambda: train_single(Xa, ya, init=ALPHA, method=method,
                                                               lr=lr))

    def size_params(self, which="main"):
        s = self.sizes if which == "main" else self.sizes.get(which, self.sizes)
        return {"D": s["D"], "n_aux": s["n_aux"], "n": s["n"]}


def _row(rows, case, kind, exact, params, make):
    """Append the row ``make()`` computes; a failure becomes a NaN row carrying the error."""
    from solvers.errors import FeatreuseError
    try:
        cert = make()
    except FeatreuseError as exc:
        cert = Certificate(case=case, method="-", program="-", distance=float("nan"),
                           penalty_trained=float("nan"), penalty_convex=float("nan"),
                           certificate=float("nan"), wall_s=0.0, exact=exact, kind=kind,
                           info={"error": f"{type(exc).__name__}: {exc}"})
    cert.params.update(params)
    rows.append(cert)


def _stl_rows(data, grid):
    from solvers import train_single
    X, y = data.tasks()[2:4]
    rows = []
    for a in grid["stl_alpha"]:
        case = f"stl alpha={a:.0e}"
        _row(rows, case, "stl", True, dict(alpha=a, **data.size_params()),
             lambda: distance_to_program("stl", train_single(X, y, init=a, method="flow"), X, y,
                                         init=a, case=case))
    return rows


def _stl_backends_rows(data, grid):
    """Fast vs cvxpy entropy backends on the same data (independent solvers)."""
    convex = _convex()
    X, y = data.tasks()[2:4]
    rows = []
    for a in grid["stl_alpha"][:2]:
        case = f"stl fast-vs-cvxpy alpha={a:.0e}"
        _row(rows, case, "stl", True, dict(alpha=a, **data.size_params()),
             lambda: distance_to_program(
                 "stl", convex.implicit_bias(X, y, init=a, backend="fast").beta, X, y, init=a,
                 method="implicit_bias[fast]", case=case))
    return rows


def _ptft_rows(data, grid, ideal):
    from solvers import finetune
    X, y = data.tasks()[2:4]
    pre = data.pretrained("flow")
    kind = "ptft_ideal" if ideal else "ptft"
    rows = []
    for s, c in grid["ptft_sc"]:
        case = f"{kind} s={s:g} c={c:.0e}"
        _row(rows, case, kind, not ideal, dict(s=s, c=c, **data.size_params()),
             lambda: distance_to_program(
                 kind, finetune(pre, X, y, rescale=s, readout_init=c, method="flow"), X, y,
                 pretrained=pre.params, rescale=s, readout_init=c, case=case))
    return rows


def _lp_rows(data, grid):
    from solvers import finetune, train_single
    X, y = data.tasks()[2:4]
    pre = data.pretrained("flow")
    rows = []
    _row(rows, "stl_lp alpha=1e-03", "stl_lp", True, dict(alpha=ALPHA, **data.size_params()),
         lambda: distance_to_program(
             "stl_lp", train_single(X, y, init=ALPHA, method="flow", train="readout"), X, y,
             init=ALPHA, case="stl_lp alpha=1e-03"))
    s, c = grid["ptft_sc"][0]
    case = f"ptft_lp s={s:g} c={c:.0e}"
    _row(rows, case, "ptft_lp", True, dict(s=s, c=c, **data.size_params()),
         lambda: distance_to_program(
             "ptft_lp", finetune(pre, X, y, rescale=s, readout_init=c, train="readout",
                                 method="flow"),
             X, y, pretrained=pre.params, rescale=s, readout_init=c, case=case))
    return rows


def _gd_rows(data, grid):
    from solvers import finetune, train_single
    Xa, ya, X, y = data.tasks()[:4]
    rows = []
    case = f"stl gd lr={LR:g}"
    _row(rows, case, "gd", False, dict(alpha=ALPHA, lr=LR, **data.size_params()),
         lambda: distance_to_program("gd", train_single(X, y, init=ALPHA, method="gd", lr=LR),
                                     X, y, init=ALPHA, case=case))
    case = f"pretrain gd lr={LR_PRETRAIN:g}"
    _row(rows, case, "gd", False, dict(alpha=ALPHA, lr=LR_PRETRAIN, **data.size_params()),
         lambda: distance_to_program("gd", data.pretrained("gd"), Xa, ya, init=ALPHA, case=case))
    s, c = grid["ptft_sc"][0]
    case = f"ptft gd lr={LR:g} s={s:g} c={c:.0e}"

    def ptft_gd():
        # finetune the GD-pretrained net both ways: the gap is finetuning GD's alone
        ft = finetune(data.pretrained("gd"), X, y, rescale=s, readout_init=c, method="gd",
                      lr=LR)
        return distance_to_program("gd", ft, X, y, init=ft.init, case=case)
    _row(rows, case, "gd", False, dict(s=s, c=c, lr=LR, **data.size_params()), ptft_gd)
    return rows


def _mtl_rows(data, grid):
    from solvers import train_multi
    Xa, ya, X, y = data.tasks("mtl")[:4]
    rows = []
    for a in grid["mtl_alpha"]:
        case = f"mtl alpha={a:.0e}"

        def make():
            res = train_multi([Xa, X], [ya, y], init=a, method="flow")
            cert = distance_to_program("mtl", res, [Xa, X], [ya, y], case=case)
            cert.params.update(steps=res.steps, flow_wall_s=res.wall_s)
            return cert
        _row(rows, case, "mtl", False, dict(alpha=a, **data.size_params("mtl")), make)
    return rows


def _mtl_wd_rows(data, grid):
    from solvers import train_multi
    Xa, ya, X, y = data.tasks("wd")[:4]
    rows = []
    for lam in grid["wd"]:
        case = f"mtl_wd lambda={lam:.0e}"

        def make():
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                res = train_multi([Xa, X], [ya, y], init=1e-2, method="flow", weight_decay=lam,
                                  tol=WD_TOL, max_steps=WD_MAX_STEPS)
            # only a stationary point is certified; a run stopped early is a measurement
            cert = distance_to_program("mtl_wd", res, [Xa, X], [ya, y],
                                       method="flow" if res.converged else "flow (stopped)",
                                       case=case)
            cert.params.update(grad_norm=res.info.get("grad_norm"), steps=res.steps,
                               converged=res.converged)
            if caught:
                cert.info["warnings"] = "; ".join(str(w.message) for w in caught)
            return cert
        _row(rows, case, "mtl_wd", True, dict(alpha=1e-2, **data.size_params("wd")), make)
    return rows


def certification_cases(quick=False):
    """The cases of the certification table.

    Parameters
    ----------
    quick : bool
        Small sizes (D = 100, n_aux = 48, n = 24; weight decay on D = 30) that
        run in well under a minute; otherwise LL's sizes (D = 1000,
        n_aux = 1024, n = 64; weight decay on D = 100).

    Returns
    -------
    list of Case
        Exact groups: STL flow vs implicit_bias at several alpha; fast vs
        cvxpy entropy backends; PT+FT flow vs implicit_bias of the finetuning
        init over (s, c); readout-only flows vs weighted min-ell2;
        weight-decayed MTL flow vs group lasso (2 lambda). Measured groups:
        PT+FT vs LL's idealised penalty over (s, c); small-init MTL flow vs
        min-ell_{1,2} over alpha; GD at LL's learning rates vs the flow.
    """
    if not isinstance(quick, (bool, np.bool_)):
        raise InputTypeError(f"quick must be a bool, got {type(quick).__name__}")
    data, grid = _Data(bool(quick)), GRIDS[bool(quick)]
    return [
        Case("stl", "single-task flow vs implicit_bias (P-ent) at several alpha", True,
             lambda: _stl_rows(data, grid)),
        Case("stl_backends", "implicit_bias fast (Newton) vs cvxpy", True,
             lambda: _stl_backends_rows(data, grid)),
        Case("ptft", "PT+FT flow vs implicit_bias of the finetuning init over (s, c)", True,
             lambda: _ptft_rows(data, grid, ideal=False)),
        Case("lp", "readout-only flows (STL, PT+FT) vs weighted min-ell2", True,
             lambda: _lp_rows(data, grid)),
        Case("mtl_wd", "weight-decayed MTL flow vs group lasso (2 lambda)", True,
             lambda: _mtl_wd_rows(data, grid)),
        Case("ptft_ideal", "PT+FT flow vs LL's idealised penalty over (s, c)", False,
             lambda: _ptft_rows(data, grid, ideal=True)),
        Case("mtl", "small-init MTL flow vs min-ell_{1,2} over alpha", False,
             lambda: _mtl_rows(data, grid)),
        Case("gd", "GD at LL's learning rates vs the exact flow end", False,
             lambda: _gd_rows(data, grid)),
    ]


def run_cases(cases, progress=True):
    """Run cases and return their rows (list of Certificate), with a tqdm bar."""
    from tqdm.auto import tqdm
    rows = []
    bar = tqdm(cases, desc="certify", unit="case", disable=not progress)
    for case in bar:
        bar.set_postfix_str(case.name)
        rows.extend(case.run())
    bar.close()
    return rows


# ---------------------------------------------------------------------------- table and CLI
COLUMNS = ("case", "method", "program", "distance", "penalty_trained", "penalty_convex",
           "certificate", "wall_s", "status")


def format_table(rows):
    """Fixed-width text table of certificate rows (one line per row)."""
    def cell(row, col):
        v = getattr(row, col)
        if isinstance(v, float):
            return f"{v:.2f}" if col == "wall_s" else f"{v:.3e}"
        return str(v)

    cells = [[cell(r, c) for c in COLUMNS] for r in rows]
    widths = [max([len(c)] + [len(line[i]) for line in cells]) for i, c in enumerate(COLUMNS)]
    out = ["  ".join(c.ljust(w) for c, w in zip(COLUMNS, widths))]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(v.ljust(w) for v, w in zip(line, widths)) for line in cells]
    return "\n".join(out)


def configure(parser):
    """Arguments of ``featreuse check``."""
    parser.add_argument("--quick", action="store_true",
                        help="small problem sizes (runs in under a minute)")
    parser.add_argument("--json", metavar="FILE", default=None,
                        help="also write the rows as JSON to FILE")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--plot", metavar="DIR", default=None,
                        help="also draw distance vs alpha (PNG + PDF) into DIR")
    return parser


def run(args):
    """Print the certification table; exit code 1 when an exact row fails, else 0."""
    rows = run_cases(certification_cases(quick=args.quick),
                     progress=not getattr(args, "no_progress", False))
    print(format_table(rows))
    failed = [r.case for r in rows if r.failed]
    if args.json:
        with open(args.json, "w") as fh:
            json.dump([r.as_dict() for r in rows], fh, indent=1)
    if getattr(args, "plot", None):
        from .certify_plot import plot_distance_vs_alpha
        for path in plot_distance_vs_alpha(rows, args.plot):
            print(path)
    if failed:
        print(f"FAIL: {len(failed)} exact row(s) above {EXACT_TOL:g}: {', '.join(failed)}")
        return 1
    print(f"ok: every exact row within {EXACT_TOL:g}")
    return 0


def main(argv=None):
    """``python -m analysis.certify [--quick] [--json FILE]``."""
    parser = configure(argparse.ArgumentParser(prog="featreuse check",
                                               description="certification table"))
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
