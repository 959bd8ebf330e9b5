"""The convex solvers of a problem, and the laddered cvxpy solve of its reference minimiser.

A method row calls the public program as a user would (``solvers.convex``,
default settings, Clarabel's ``time_limit`` set from the call's deadline).
The reference is solved as certification solves it
(:func:`featreuse.solvers.certify.reference_solver.laddered`): Clarabel at tolerances
1e-12, looser on an inaccurate stop, and for entropy programs a fall back to
the Newton backend when no cvxpy answer is accurate enough.
"""
import time

import numpy as np

from featreuse.solvers.certify.reference_solver import laddered
from .method_run import MethodRun
from .problem import Method


def _convex():
    from featreuse.solvers import convex  # imported on use: cvxpy is heavy
    return convex


def _time_limit(deadline, options):
    """Solver options with Clarabel's ``time_limit`` (seconds) left until ``deadline``."""
    if deadline is None:
        return options
    return dict(options or {}, time_limit=max(deadline - time.perf_counter(), 1e-3))


def _run(res):
    steps = res.info.get("iterations")
    return MethodRun(np.asarray(res.beta, dtype=float), True, None if steps is None else int(steps),
                     certificate=float(res.certificate),
                     info={"solver": res.solver, "certificate_kind": res.certificate_kind})


def entropy_methods(X, y, init):
    """cvxpy and newton for (P-ent) of ``init`` (4, D); returns (methods, reference solve).

    The reference solve returns ``(MethodRun, method, solver, tolerance label)``.
    """
    convex = _convex

    def cvxpy(deadline, record):
        opts = _time_limit(deadline, convex().entropy.ENTROPY_CLARABEL)
        return _run(convex().implicit_bias(X, y, init, backend="cvxpy", solver_options=opts))

    def newton(deadline, record):
        return _run(convex().implicit_bias(X, y, init, backend="fast"))

    def reference():
        (_, res), tol = laddered(
            lambda o: (None, convex().implicit_bias(X, y, init, backend=o["backend"],
                                                    solver=o["solver"],
                                                    solver_options=o["solver_options"])),
            "cvxpy", None, None, fast_fallback=True)
        if tol == "cvxpy inaccurate: fast":
            return _run(res), "newton", "newton-dual", tol
        return _run(res), "cvxpy", "clarabel", tol

    return ([Method("cvxpy", cvxpy, "clarabel", exact=True),
             Method("newton", newton, "newton-dual", exact=True)], reference)


def l1_methods(X, y):
    """cvxpy and highs for basis pursuit; returns (methods, reference solve)."""
    convex = _convex

    def cvxpy(deadline, record):
        return _run(convex().min_l1(X, y, backend="cvxpy",
                                    solver_options=_time_limit(deadline, None)))

    def highs(deadline, record):
        return _run(convex().min_l1(X, y, backend="fast"))

    def reference():
        (_, res), tol = laddered(
            lambda o: (None, convex().min_l1(X, y, backend="cvxpy", solver=o["solver"],
                                             solver_options=o["solver_options"])),
            "cvxpy", None, None)
        return _run(res), "cvxpy", "clarabel", tol

    return ([Method("cvxpy", cvxpy, "clarabel", exact=True),
             Method("highs", highs, "highs", exact=True)], reference)


def l12_methods(Xs, ys):
    """cvxpy and reduced-clarabel for min-l12; returns (methods, reference solve).

    Both rest on Clarabel (the reduced program skips cvxpy, not the solver).
    """
    convex = _convex

    def cvxpy(deadline, record):
        from featreuse.solvers.convex.l12 import TIGHT_CLARABEL
        return _run(convex().min_l12(Xs, ys, backend="cvxpy",
                                     solver_options=_time_limit(deadline, TIGHT_CLARABEL)))

    def reduced(deadline, record):
        return _run(convex().min_l12(Xs, ys, backend="fast"))

    def reference():
        (_, res), tol = laddered(
            lambda o: (None, convex().min_l12(Xs, ys, backend="cvxpy", solver=o["solver"],
                                              solver_options=o["mtl_options"])),
            "cvxpy", None, None)
        return _run(res), "cvxpy", "clarabel", tol

    return ([Method("cvxpy", cvxpy, "clarabel", exact=True),
             Method("reduced-clarabel", reduced, "clarabel", exact=True)], reference)


def group_lasso_methods(Xs, ys, lam, sample_weights):
    """cvxpy (group lasso, then its Newton polish) for weight decay; (methods, reference solve).

    ``lam`` is the group penalty ``2 lambda``; the row's certificate is the
    relative duality gap of the polished point.
    """
    convex = _convex
    task_weights = sample_weights * np.array([X.shape[0] for X in Xs], dtype=float)

    def solve(options):
        res = convex().group_lasso(Xs, ys, lam, task_weights=task_weights,
                                   solver_options=options)
        B, polished = convex().polish_group_lasso(Xs, ys, np.asarray(res.beta, dtype=float),
                                                  lam, sample_weights)
        gap = convex().group_lasso_certificate(Xs, ys, B, lam, sample_weights)[0]
        run = MethodRun(B, True, None, certificate=max(gap, 0.0),
                        info={"solver": res.solver, "polished": polished,
                              "cvxpy_gap": res.certificate, "certificate_kind": "duality_gap"})
        return run

    def cvxpy(deadline, record):
        from featreuse.solvers.convex.l12 import TIGHT_CLARABEL
        return solve(_time_limit(deadline, TIGHT_CLARABEL) if deadline is not None else None)

    def reference():
        (_, run), tol = laddered(lambda o: (None, solve(o["mtl_options"])), "cvxpy", None, None)
        return run, "cvxpy", "clarabel", tol

    return [Method("cvxpy", cvxpy, "clarabel", exact=True)], reference
