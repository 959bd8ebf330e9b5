"""The convex program of each certification kind of a diagonal network.

Each ``_program_<kind>(beta, X, y, p, backend, opts)`` solves the program that
theory associates with a trained predictor ``beta`` and returns
``(program label, result, penalty at beta, penalty at the minimiser)``
(docs/certification.md lists the kinds and why each program is the right one).
"""
import math
import time
from dataclasses import dataclass, field

import numpy as np

from .. import diagonal, penalties
from featreuse.errors import InputError
from ..results import SingleResult
from featreuse.validation import as_float_array, check_choice, check_scalar

from .reference_solver import single_kw


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


def _convex():
    # imported on use: the convex package is heavy (cvxpy)
    from .. import convex
    return convex



def _entropy_case(X, y, beta, init, backend, opts):
    convex = _convex()
    res = convex.implicit_bias(X, y, init=init, backend=backend, **single_kw(opts))
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
                               **single_kw(opts))
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
    res = _convex().min_l2(X, y, weights=1.0 / W, center=beta0, backend=backend, **single_kw(opts))

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


def _program_mtl_wd(beta, Xs, ys, p, backend, opts):
    lam = p.get("weight_decay")
    if lam is None:
        raise InputError("weight_decay: kind 'mtl_wd' needs the weight decay lambda > 0")
    check_scalar(lam, "weight_decay", low=0.0)
    omega = p.get("sample_weights")
    ns = np.array([X.shape[0] for X in Xs], dtype=float)
    omega = np.full(len(Xs), 1.0 / ns.sum()) if omega is None else \
        as_float_array(omega, "sample_weights", ndim=1)
    if omega.shape != (len(Xs),) or np.any(omega < 0):
        raise InputError(f"sample_weights must be {len(Xs)} per-sample weights >= 0")
    convex = _convex()
    # group_lasso takes per-task weights lambda_t (task t's squared errors weigh
    # lambda_t / n_t), so the per-sample weight omega_t is the task weight omega_t n_t;
    # it has one (cvxpy) backend
    res = convex.group_lasso(Xs, ys, 2.0 * lam, task_weights=omega * ns,
                             solver=opts.get("solver"), solver_options=opts.get("mtl_options"))
    B, polished = convex.polish_group_lasso(Xs, ys, np.asarray(res.beta, dtype=float), 2.0 * lam,
                                            omega)
    gap = convex.group_lasso_certificate(Xs, ys, B, 2.0 * lam, omega)[0]
    res = FlowAsProgram(B, max(gap, 0.0), res.wall_s, "duality_gap", res.solver,
                        res.primal_residual, {"polished": polished, "cvxpy_gap": res.certificate})
    obj = penalties.mtl_weight_decay_objective
    return ("group_lasso(2 lambda)[cvxpy+newton]" if polished else "group_lasso(2 lambda)[cvxpy]",
            res, obj(beta, Xs, ys, lam, omega), obj(B, Xs, ys, lam, omega))


def _program_gd(beta, X, y, p, backend, opts):
    from ..train import train_single
    init = diagonal.single_init(p["init"], X.shape[1])
    check_choice(p["train"], ("all", "readout"), "train")
    t0 = time.perf_counter()
    end = train_single(X, y, init=init, method="flow", train=p["train"])
    # present the flow end like a convex result
    res = FlowAsProgram(end.beta, float(end.info.get("residual", math.sqrt(end.loss))),
                         time.perf_counter() - t0)
    if p["train"] == "readout":
        W = init[0] ** 2 + init[2] ** 2
        beta0 = diagonal.beta_single(init)
        pen = lambda b: float(np.sum((b - beta0) ** 2 / W))  # noqa: E731
    else:
        pen = lambda b: float(penalties.entropy_penalty(b, init))  # noqa: E731
    return "flow_end", res, pen(beta), pen(end.beta)


@dataclass
class FlowAsProgram:
    """A minimiser computed outside :mod:`featreuse.solvers.convex`, shaped like a ConvexResult."""

    beta: np.ndarray
    certificate: float
    wall_s: float
    certificate_kind: str = "flow_residual"
    solver: str = "reduced_flow"
    primal_residual: float = float("nan")
    info: dict = field(default_factory=dict)


PROGRAMS = {"stl": _program_stl, "ptft": _program_ptft, "ptft_ideal": _program_ptft_ideal,
             "stl_lp": _program_stl_lp, "ptft_lp": _program_ptft_lp, "mtl": _program_mtl,
             "mtl_wd": _program_mtl_wd, "gd": _program_gd}
