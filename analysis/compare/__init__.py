"""Compare solvers on your own problem in one call (the solver-comparison API).

::

    import featreuse as fr
    problem = fr.problems.implicit_bias(X, y, init=1e-3)
    cmp = fr.compare(problem)               # every method that applies
    cmp.table                               # one row per method (pandas)
    cmp.curves                              # distance to the minimiser along each path
    cmp.plot()                              # matplotlib Figure
    cmp.to_hdf5("compare.h5")

A problem (:mod:`.problems`) is a convex program together with the training
methods whose limit it is and the solvers that compute it; :func:`compare`
(:mod:`.runner`; ``fr.compare`` is this function) runs them (:mod:`.methods` lists
the names), times them, and scores each answer against the reference minimiser
(cvxpy + Clarabel, solved as certification solves it; docs/compare.md). The
trainers are :mod:`featreuse.solvers`' (flow, gd) and LL's torch loop of
:mod:`featreuse.nets.diagonal.reference` (gd-torch).

Nothing heavy is imported until a comparison runs (cvxpy, torch, pandas,
matplotlib and h5py are imported on use).
"""
from featreuse.lazy import lazy_namespace

#: public name -> submodule that defines it
_EXPORTS = {"compare": "runner", "Comparison": "comparison", "Problem": "problem",
            "METHODS": "methods", "REPEAT_BUDGET_S": "runner"}


__getattr__, __dir__ = lazy_namespace(__name__, _EXPORTS)


__all__ = ["compare", "Comparison", "Problem", "METHODS", "problems"]
