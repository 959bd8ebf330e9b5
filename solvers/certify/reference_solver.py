"""The cvxpy reference solves of certification: tight Clarabel settings and a fallback ladder.

A reference program certifies a trained predictor only if it is solved more
accurately than the tolerance of the row (docs/certification.md).
"""
from featreuse.errors import SolverError
from .certificate import EXACT_TOL

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


def solve_opts(backend, solver, solver_options):
    """Options handed to a program: backend, solver and its options.

    The multi-task programs carry their own tight Clarabel defaults (``None`` selects them).
    """
    return {"backend": backend, "solver": solver, "solver_options": SOLVER_OPTIONS if solver_options is None
            else solver_options, "mtl_options": solver_options}


def single_kw(opts):
    """Solver keywords of a single-task program."""
    return {"solver": opts["solver"], "solver_options": opts["solver_options"]}


def laddered(call, backend, solver, solver_options, fast_fallback=False):
    """Run ``call(opts)``; with default cvxpy settings, retry looser on an inaccurate stop.

    Returns ``(result, tolerance label)``.
    """
    if backend != "cvxpy" or solver_options is not None or solver is not None:
        return call(solve_opts(backend, solver, solver_options)), "given"
    last = None
    for i, rung in enumerate(SOLVER_LADDER):
        opts = solve_opts(backend, solver, rung)
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
    return call(solve_opts("fast", None, None)), "cvxpy inaccurate: fast"
