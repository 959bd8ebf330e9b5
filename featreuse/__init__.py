"""featreuse: the inductive biases of multi-task learning and finetuning, computed exactly.

The flat public API (everything is imported on first use, so ``import featreuse``
stays light)::

    import featreuse as fr
    r = fr.train_single(X, y, init=1e-3, method="flow")       # or method="gd", lr=0.1
    m = fr.train_multi([Xa, Xm], [ya, ym], init=1e-3, method="flow")
    f = fr.finetune(r, Xm, ym, rescale=0.1, readout_init=1e-4, train="all")
    c = fr.compare(fr.problems.implicit_bias(X, y, 1e-3))      # every applicable method
    fr.estimators.DiagonalNetRegressor(init=1e-3).fit(X, y)    # scikit-learn estimators
    df = fr.load("results/diag-overlap-quick.h5")              # a sweep's summary
    fr.run("diag-overlap", quick=True)                         # run (or resume) a sweep

The layers below (``featreuse.solvers``: numpy, numba, scipy, cvxpy;
``featreuse.nets``: torch; ``featreuse.analysis``: families, store, sweeps, plots,
command line) import this package's :mod:`.errors` and :mod:`.validation` and never
the other way round (docs/architecture.md). Every error featreuse raises is a
:class:`FeatreuseError`.
"""

from .errors import (ConvergenceWarning, DivergenceError, FeatreuseError, InfeasibleError,
                     InputError, InputTypeError, SolverError)
from .lazy import lazy_namespace

#: public name -> module that defines it
_EXPORTS = {
    "train_single": "featreuse.solvers.train", "train_single_batch": "featreuse.solvers.train",
    "train_multi": "featreuse.solvers.train", "finetune": "featreuse.solvers.train",
    "SingleResult": "featreuse.solvers.results", "MultiResult": "featreuse.solvers.results",
    "saddle_path": "featreuse.solvers.saddle_path",
    "compare": "featreuse.analysis.compare", "Comparison": "featreuse.analysis.compare",
    "load": "featreuse.analysis", "run": "featreuse.analysis",
    "load_experiment": "featreuse.analysis.experiments",
}
#: public name -> module it stands for
_MODULES = {"solvers": "featreuse.solvers", "nets": "featreuse.nets",
            "analysis": "featreuse.analysis", "problems": "featreuse.analysis.compare.problems",
            "estimators": "featreuse.solvers.estimators", "convex": "featreuse.solvers.convex",
            "penalties": "featreuse.solvers.penalties"}


__getattr__, __dir__ = lazy_namespace(__name__, _EXPORTS, _MODULES)


__all__ = ["FeatreuseError", "InputError", "InputTypeError", "DivergenceError",
           "InfeasibleError", "SolverError", "ConvergenceWarning", *_EXPORTS, *_MODULES]
