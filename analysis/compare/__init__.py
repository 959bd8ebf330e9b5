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
import importlib
import pkgutil

#: public name -> submodule that defines it
_EXPORTS = {"compare": "runner", "Comparison": "comparison", "Problem": "problem",
            "METHODS": "methods", "REPEAT_BUDGET_S": "runner"}


def __getattr__(name):
    """Import a public name or a submodule on first access."""
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
        globals()[name] = value
        return value
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{name}":
            raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    submodules = {m.name for m in pkgutil.iter_modules(__path__)}
    return sorted(set(globals()) | set(_EXPORTS) | submodules)


__all__ = ["compare", "Comparison", "Problem", "METHODS", "problems"]
