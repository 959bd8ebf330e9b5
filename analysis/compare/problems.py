"""The problems :func:`featreuse.analysis.compare.compare` solves, built from your data.

Each function checks its input up front (shapes, finite values, labels that
can be interpolated; a typed error from :mod:`featreuse.solvers.errors` names the
argument) and returns a :class:`~featreuse.analysis.compare.problem.Problem`: the convex
program, its objective and constraint residual, the methods that apply and
how to run them, and its reference minimiser (cvxpy + Clarabel, solved as
certification solves it).

======================  ===============================================  ==========================
problem                 program                                          methods
======================  ===============================================  ==========================
``implicit_bias``       (P-ent) of ``init``: the single-task flow's end   flow, gd, gd-torch, cvxpy,
                                                                         newton
``finetune``            (P-ent) of the finetuning init (PT+FT)           as implicit_bias
``min_l1``              ``min ||b||_1 s.t. X b = y`` (alpha -> 0)         flow, gd, gd-torch, cvxpy,
                                                                         highs
``min_l12``             ``min ||B||_{1,2} s.t. X_t b_t = y_t`` (MTL,      flow, gd, gd-torch, cvxpy,
                        small init)                                      reduced-clarabel
``mtl_weight_decay``    group lasso, ``lam = 2 lambda``                  flow, gd, gd-torch, cvxpy
======================  ===============================================  ==========================

The trainers (flow, gd, gd-torch) start from ``init`` and use ``lr``, ``tol``,
``max_steps`` and ``max_restarts`` as :func:`featreuse.solvers.train_single` /
:func:`featreuse.solvers.train_multi` do. Which answers theory makes exact is said per
problem; GD is always a measured gap (its discretisation error: 2e-3 at
``lr = 0.1``, alpha = 1e-3 on a random n = 64, D = 256 problem).
"""
import numpy as np

from featreuse.solvers import diagonal, penalties
from featreuse.errors import InfeasibleError, InputError
from featreuse.solvers.reduced_flow import row_space
from featreuse.solvers.results import SingleResult
from featreuse.solvers.train import sample_weights_of
from featreuse.validation import as_float_array, check_data, check_scalar, check_task_list
from .convex_methods import entropy_methods, group_lasso_methods, l1_methods, l12_methods
from .problem import Problem
from .trainer_methods import multi_task_methods, single_task_methods

#: y counts as interpolable when its part outside range(X) is at most this fraction of ||y||
RANGE_RTOL = 1e-10


def _interpolable(X, y, y_name, X_name):
    rs = row_space(X, y)
    if rs.y_out > RANGE_RTOL * max(rs.y_norm, 1e-300):
        raise InfeasibleError(
            f"{y_name} is not in the range of {X_name}: no interpolating beta exists (relative "
            f"distance {rs.y_out / rs.y_norm:.3g} > {RANGE_RTOL:g}); for noisy labels use "
            f"mtl_weight_decay or more features than samples")


def _trainer_settings(lr, tol, max_steps, max_restarts):
    check_scalar(lr, "lr", low=0.0)
    check_scalar(tol, "tol", low=0.0)
    check_scalar(max_steps, "max_steps", low=1, low_inclusive=True, integer=True)
    check_scalar(max_restarts, "max_restarts", low=0, low_inclusive=True, integer=True)
    return {"lr": float(lr), "tol": float(tol), "max_steps": int(max_steps),
            "max_restarts": int(max_restarts)}


def _init_label(init):
    return float(init) if np.ndim(init) == 0 else f"array {np.shape(init)}"


def _task_data(Xs, ys):
    """Task lists from lists of arrays or from stacked arrays (T, n, D), (T, n)."""
    for name, value, ndim in (("Xs", Xs, 3), ("ys", ys, 2)):
        if isinstance(value, np.ndarray) and value.ndim != ndim:
            raise InputError(f"{name} must be a list of T arrays or an array with {ndim} "
                             f"dimensions (one entry per task), got shape {value.shape}")
    Xs = list(Xs) if isinstance(Xs, np.ndarray) else Xs
    ys = list(ys) if isinstance(ys, np.ndarray) else ys
    return check_task_list(Xs, ys)


def _single_residual(X, y):
    ny = float(np.linalg.norm(y))

    def residual(beta):
        r = float(np.linalg.norm(X @ beta - y))
        return r / ny if ny > 0 else r
    return residual


def _multi_residual(Xs, ys):
    singles = [_single_residual(X, y) for X, y in zip(Xs, ys)]
    return lambda B: max(f(B[:, t]) for t, f in enumerate(singles))


def _entropy_problem(name, description, X, y, params, trainer, reference, settings):
    log_A, log_B = diagonal.log_AB(params)

    def certificate(beta):
        from featreuse.solvers.convex import entropy_certificate
        return entropy_certificate(X, y, beta, log_A, log_B)["kkt"]

    convex, reference_solve = entropy_methods(X, y, params)
    methods = single_task_methods(X, y, params, flow_exact=True, **trainer) + convex
    return Problem(name, description, (X.shape[1],), methods,
                   lambda b: penalties.entropy_penalty(b, params), _single_residual(X, y),
                   reference_solve, certificate=certificate,
                   certificate_kind="KKT residual of (P-ent) at the row's beta",
                   reference=reference,
                   settings=dict(settings, n=X.shape[0], D=X.shape[1], **trainer))


def implicit_bias(X, y, init=1e-3, *, lr=0.1, tol=1e-10, max_steps=10 ** 6, max_restarts=10,
                  reference="cvxpy"):
    """The single-task implicit bias: (P-ent) of ``init``, the exact flow's end.

    ``min sum_d kappa_d q(beta_d / kappa_d) - delta_d beta_d s.t. X beta = y``
    (``Q_alpha`` for a scalar init alpha; docs/theory.md). Exact: ``flow``,
    ``cvxpy``, ``newton`` (flow and newton share one Newton solver). Measured:
    ``gd``, ``gd-torch`` (same iterates; the gap is GD's discretisation).

    Parameters
    ----------
    X : array_like (n, D)
        Design matrix, rows are samples.
    y : array_like (n,)
        Labels, in the range of X.
    init : float or array_like (4, D)
        alpha > 0, or explicit ``w+, v+, w-, v-`` (entries >= 0).
    lr : float
        GD learning rate (restarted at lr/10 on divergence).
    tol : float
        Train MSE at which GD stops (and the flow's end is called converged).
    max_steps, max_restarts : int
        GD budget and learning-rate restarts.
    reference : str
        Method of the reference minimiser: ``"cvxpy"`` (default), ``"newton"``
        or ``"flow"``.

    Returns
    -------
    Problem
        Objective :func:`featreuse.solvers.penalties.entropy_penalty`; certificate the
        (P-ent) KKT residual at each row's beta.

    Raises
    ------
    InputError, InputTypeError
        Bad shapes, NaN or inf, bad settings (the message names the argument).
    InfeasibleError
        ``y`` is not in the range of ``X``.
    """
    X, y = check_data(X, y)
    params = diagonal.single_init(init, X.shape[1], name="init")
    trainer = _trainer_settings(lr, tol, max_steps, max_restarts)
    _interpolable(X, y, "y", "X")
    what = (f"min Q_alpha(beta) s.t. X beta = y, alpha = {init:g}" if np.ndim(init) == 0
            else "min (P-ent) of init (4, D) s.t. X beta = y")
    return _entropy_problem("implicit_bias", what, X, y, params, trainer, reference,
                            {"init": _init_label(init)})


def _pretrained(pretrained, D):
    if isinstance(pretrained, SingleResult):
        pretrained = pretrained.params
    arr = as_float_array(pretrained, "pretrained")
    if arr.ndim == 1:
        if arr.shape != (D,):
            raise InputError(f"pretrained must be a predictor ({D},) or params (4, {D}) to match "
                             f"X, got shape {arr.shape}")
        return penalties.balanced_params(arr), "beta_pre (balanced params)"
    if arr.shape != (4, D):
        raise InputError(f"pretrained must be a predictor ({D},) or params (4, {D}) to match X, "
                         f"got shape {arr.shape}")
    return arr, "params (4, D)"


def finetune(X, y, pretrained, rescale=1.0, readout_init=1e-3, *, lr=0.1, tol=1e-10,
             max_steps=10 ** 6, max_restarts=10, reference="cvxpy"):
    """PT+FT: (P-ent) of the finetuning init, where finetuning ``pretrained`` on (X, y) ends.

    The first layer is multiplied by ``rescale`` (s), the readouts reset to
    ``readout_init`` (c) (:func:`featreuse.solvers.diagonal.finetune_init`); the flow
    from there (:func:`featreuse.solvers.finetune`) ends at the program's minimiser.
    Exact and measured methods as :func:`implicit_bias`.

    Parameters
    ----------
    X : array_like (n, D)
    y : array_like (n,)
        The finetuning task.
    pretrained : array_like (4, D) or (D,), or SingleResult
        Pretrained params ``w+, v+, w-, v-``, or a pretrained predictor
        ``beta_pre`` (D,), taken as the balanced params of the small-init
        limit (:func:`featreuse.solvers.penalties.balanced_params`).
    rescale : float
        s > 0.
    readout_init : float
        c >= 0.
    lr, tol, max_steps, max_restarts, reference
        As :func:`implicit_bias`.

    Returns
    -------
    Problem
    """
    X, y = check_data(X, y)
    params, kind = _pretrained(pretrained, X.shape[1])
    init = diagonal.finetune_init(params, rescale, readout_init, name="pretrained")
    trainer = _trainer_settings(lr, tol, max_steps, max_restarts)
    _interpolable(X, y, "y", "X")
    what = (f"min (P-ent) of the finetuning init s.t. X beta = y, s = {rescale:g}, "
            f"c = {readout_init:g}")
    return _entropy_problem("finetune", what, X, y, init, trainer, reference,
                            {"pretrained": kind, "rescale": float(rescale),
                             "readout_init": float(readout_init)})


def min_l1(X, y, init=1e-3, *, lr=0.1, tol=1e-10, max_steps=10 ** 6, max_restarts=10,
           reference="cvxpy"):
    """Basis pursuit ``min ||beta||_1 s.t. X beta = y``: the small-init limit of one task.

    Exact: ``cvxpy``, ``highs``. The trainers (flow, gd, gd-torch from
    ``init``) reach it only as ``init -> 0``: measured on random n = 64,
    D = 256 problems, the flow's end is 9e-3 from it at alpha = 1e-3, 1.1e-3 at
    1e-4, 1.8e-5 at 1e-6 and 3e-7 at 1e-8.

    Parameters
    ----------
    X : array_like (n, D)
    y : array_like (n,)
    init : float
        The trainers' alpha > 0 (or (4, D) params).
    lr, tol, max_steps, max_restarts, reference
        As :func:`implicit_bias` (reference: ``"cvxpy"`` or ``"highs"``).

    Returns
    -------
    Problem
        Objective ``||beta||_1``; certificate the solvers' relative duality
        gap (NaN for the trainers).
    """
    X, y = check_data(X, y)
    params = diagonal.single_init(init, X.shape[1], name="init")
    trainer = _trainer_settings(lr, tol, max_steps, max_restarts)
    _interpolable(X, y, "y", "X")
    trainers = single_task_methods(X, y, params, flow_exact=False, **trainer)
    convex, reference_solve = l1_methods(X, y)
    return Problem("min_l1", "min ||beta||_1 s.t. X beta = y", (X.shape[1],), trainers + convex,
                   penalties.l1, _single_residual(X, y), reference_solve,
                   certificate_kind="relative duality gap of the solver (NaN for trainers)",
                   reference=reference,
                   settings=dict(init=_init_label(init), n=X.shape[0], D=X.shape[1], **trainer))


def _multi_setup(Xs, ys, init, task_weights):
    Xs, ys = _task_data(Xs, ys)
    T, D = len(Xs), Xs[0].shape[1]
    params = diagonal.multi_init(init, D, T, name="init")
    omega = sample_weights_of([X.shape[0] for X in Xs], task_weights)
    return Xs, ys, params, omega


def min_l12(Xs, ys, init=1e-3, *, task_weights=None, lr=0.1, tol=1e-10, max_steps=10 ** 6,
            max_restarts=10, reference="cvxpy"):
    """Multi-task ``min sum_d ||B_d||_2 s.t. X_t beta_t = y_t``: LL's small-init MTL heuristic.

    Exact: ``cvxpy``, ``reduced-clarabel`` (both Clarabel). The multi-task
    trainers from a small ``init`` approach it without reaching it (LL): on
    two random tasks (n = 24, 12, D = 40) the flow's end is 0.12 from it at
    alpha = 1e-2, 0.03 at 1e-3 and 7e-3 at 1e-4.

    Parameters
    ----------
    Xs : list of T array_like (n_t, D), or array_like (T, n, D)
    ys : list of T array_like (n_t,), or array_like (T, n)
        Each ``ys[t]`` in the range of ``Xs[t]``.
    init : float or array_like (T + 1, 2, D)
        The trainers' alpha > 0 (or explicit params, :func:`featreuse.solvers.diagonal.multi_init`).
    task_weights : array_like (T,), optional
        The trainers' per-task weights (default: one mean over all samples, LL).
    lr, tol, max_steps, max_restarts, reference
        As :func:`implicit_bias` (reference: ``"cvxpy"`` or ``"reduced-clarabel"``).

    Returns
    -------
    Problem
        beta (D, T); objective ``||B||_{1,2}``; certificate the solvers'
        relative duality gap (NaN for the trainers).
    """
    Xs, ys, params, omega = _multi_setup(Xs, ys, init, task_weights)
    trainer = _trainer_settings(lr, tol, max_steps, max_restarts)
    for t, (X, y) in enumerate(zip(Xs, ys)):
        _interpolable(X, y, f"ys[{t}]", f"Xs[{t}]")
    convex, reference_solve = l12_methods(Xs, ys)
    methods = multi_task_methods(Xs, ys, params, omega, 0.0, flow_exact=False, **trainer) + convex
    return Problem("min_l12", "min ||B||_{1,2} s.t. X_t beta_t = y_t",
                   (Xs[0].shape[1], len(Xs)), methods, penalties.l12, _multi_residual(Xs, ys),
                   reference_solve,
                   certificate_kind="relative duality gap of the solver (NaN for trainers)",
                   reference=reference,
                   settings=dict(init=_init_label(init), ns=[X.shape[0] for X in Xs],
                                 D=Xs[0].shape[1], sample_weights=omega.tolist(), **trainer))


def mtl_weight_decay(Xs, ys, weight_decay, init=1e-2, *, task_weights=None, lr=0.1, tol=1e-14,
                     max_steps=10 ** 6, max_restarts=10, reference="cvxpy"):
    """Multi-task training with weight decay lambda: the group lasso with ``lam = 2 lambda``.

    ``min sum_t omega_t ||X_t beta_t - y_t||^2 + 2 lambda ||B||_{1,2}``: the
    smallest weight-decayed loss over the weights realising B (docs/theory.md).
    Exact: ``flow`` (run to stationarity, then polished), ``cvxpy`` (group
    lasso, then its Newton polish on the support): measured 2e-16 apart on
    two random tasks (n = 30, 16, D = 40, lambda = 1e-2). Measured: ``gd``,
    ``gd-torch``.

    Parameters
    ----------
    Xs : list of T array_like (n_t, D), or array_like (T, n, D)
    ys : list of T array_like (n_t,), or array_like (T, n)
        Labels (need not be interpolable).
    weight_decay : float
        lambda > 0.
    init : float or array_like (T + 1, 2, D)
        The trainers' init (default 1e-2, as certification).
    task_weights : array_like (T,), optional
        Per-task weights of the task MSEs (default: one mean over all samples, LL).
    tol : float
        Squared gradient norm at which the trainers stop (default 1e-14). The
        flow then polishes its end by Newton (docs/multi_flow.md); GD ends
        about ``sqrt(tol) / curvature`` from the minimiser (6e-10 relative on
        two random tasks, n = 30, 16, D = 40, lambda = 1e-2).
    lr, max_steps, max_restarts, reference
        As :func:`implicit_bias`.

    Returns
    -------
    Problem
        beta (D, T); objective :func:`featreuse.solvers.penalties.mtl_weight_decay_objective`;
        certificate the group lasso's relative duality gap at each row's beta;
        residual the relative training residual (the program does not interpolate).
    """
    Xs, ys, params, omega = _multi_setup(Xs, ys, init, task_weights)
    check_scalar(weight_decay, "weight_decay", low=0.0)
    trainer = _trainer_settings(lr, tol, max_steps, max_restarts)
    lam = 2.0 * float(weight_decay)

    def certificate(B):
        from featreuse.solvers.convex import group_lasso_certificate
        return group_lasso_certificate(Xs, ys, B, lam, omega)[0]

    convex, reference_solve = group_lasso_methods(Xs, ys, lam, omega)
    methods = multi_task_methods(Xs, ys, params, omega, float(weight_decay), flow_exact=True,
                                 **trainer) + convex
    return Problem("mtl_weight_decay",
                   f"min sum_t omega_t ||X_t beta_t - y_t||^2 + 2 lambda ||B||_{{1,2}}, "
                   f"lambda = {weight_decay:g}",
                   (Xs[0].shape[1], len(Xs)), methods,
                   lambda B: penalties.mtl_weight_decay_objective(B, Xs, ys, weight_decay, omega),
                   _multi_residual(Xs, ys), reference_solve, certificate=certificate,
                   certificate_kind="relative duality gap of the group lasso at the row's beta",
                   reference=reference,
                   settings=dict(init=_init_label(init), weight_decay=float(weight_decay),
                                 ns=[X.shape[0] for X in Xs], D=Xs[0].shape[1],
                                 sample_weights=omega.tolist(), **trainer))


__all__ = ["implicit_bias", "finetune", "min_l1", "min_l12", "mtl_weight_decay"]
