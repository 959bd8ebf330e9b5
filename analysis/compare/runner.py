"""compare(): every method of a problem, timed, scored against the reference minimiser."""
import time
import warnings

import numpy as np

from featreuse.errors import InputError, InputTypeError
from featreuse.validation import check_scalar
from .comparison import Comparison
from .methods import METHODS
from .problem import Problem

#: another timed call of a method is made only while its calls so far took less than this
REPEAT_BUDGET_S = 10.0


def _check_methods(problem, methods):
    if methods is None:
        return list(problem.methods)
    if isinstance(methods, str):
        methods = [m.strip() for m in methods.split(",") if m.strip()]
    if not isinstance(methods, (list, tuple)) or not all(isinstance(m, str) for m in methods):
        raise InputTypeError("methods must be a list of method names (or one comma-separated "
                             "string)")
    if not methods:
        raise InputError("methods must name at least one method")
    for m in methods:
        if m not in METHODS:
            raise InputError(f"methods: unknown method {m!r} (known: {', '.join(METHODS)})")
        problem.method(m)  # raises when it does not apply
    if len(set(methods)) != len(methods):
        raise InputError(f"methods: a method is named twice in {methods}")
    return list(methods)


class _Calls:
    """The timed calls of one method: walls, the last answer, its warnings and its fate."""

    def __init__(self, name):
        self.name = name
        self.walls = []
        self.run = None
        self.status = "ok"
        self.warnings = []


def _timed(problem, name, repeats, timeout, record):
    calls = _Calls(name)
    for _ in range(repeats):
        start = time.perf_counter()
        deadline = None if timeout is None else start + timeout
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                run = problem.run(name, deadline=deadline, record=record)
        except Exception as exc:  # a failing method is a row, never an exception
            wall = time.perf_counter() - start
            if timeout is not None and wall >= timeout:
                calls.status = "timeout"
            else:
                calls.status = f"failed: {type(exc).__name__}: {' '.join(str(exc).split())}"
            calls.run = None
            break
        wall = time.perf_counter() - start
        calls.walls.append(wall)
        calls.run = run
        calls.warnings = sorted({str(w.message) for w in caught})
        if run.timed_out or (timeout is not None and wall > timeout):
            calls.status = "timeout"
            break
        if sum(calls.walls) >= REPEAT_BUDGET_S:
            break
    return calls


def compare(problem, methods=None, *, repeats=3, curves=True, timeout=None, reference=None):
    """Run methods on one problem and score each answer against the reference minimiser.

    Parameters
    ----------
    problem : Problem
        From :mod:`featreuse.analysis.compare.problems` (e.g. ``problems.implicit_bias(X, y, 1e-3)``).
    methods : list of str or str, optional
        Method names (:data:`featreuse.analysis.compare.methods.METHODS`), or one
        comma-separated string; default every method that applies
        (``problem.methods``).
    repeats : int
        Timed calls per method (>= 1). After the first, another call is made
        only while the method's calls took less than :data:`REPEAT_BUDGET_S`
        (10 s) together; ``calls`` in the table says how many were made.
    curves : bool
        Keep the path of each iterative method (flow, gd, gd-torch).
    timeout : float, optional
        Seconds allowed per call (> 0). Iterative methods stop there and
        report where they got to; Clarabel is given it as ``time_limit``;
        other solvers are checked after the call. A call over time ends the
        method's calls with status ``"timeout"``. The reference solve has no
        time limit.
    reference : str, optional
        Method of the reference minimiser (default ``problem.reference``,
        ``"cvxpy"``).

    Returns
    -------
    Comparison
        ``table`` (one row per method), ``curves``, ``betas``, ``plot()``,
        ``to_hdf5(path)``.

    Raises
    ------
    InputError, InputTypeError
        A method that does not apply or is unknown, bad ``repeats``,
        ``timeout`` or ``reference``: before any work. A method that fails
        while running is a row with its status instead.
    """
    if not isinstance(problem, Problem):
        raise InputTypeError(f"problem must be a Problem from featreuse.problems, got "
                             f"{type(problem).__name__}")
    methods = _check_methods(problem, methods)
    check_scalar(repeats, "repeats", low=1, low_inclusive=True, integer=True)
    if timeout is not None:
        check_scalar(timeout, "timeout", low=0.0)
    if not isinstance(curves, (bool, np.bool_)):
        raise InputTypeError(f"curves must be a bool, got {type(curves).__name__}")
    reference = problem.check_reference(problem.reference if reference is None else reference)
    runs = []
    for name in methods:
        calls = _timed(problem, name, repeats, timeout, bool(curves))
        spec = problem.method(name)
        if curves and calls.run is not None and spec.path is not None:
            try:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    calls.run.path = spec.path(calls.run)
                calls.warnings += [f"path: {w.message}" for w in caught]
            except Exception as exc:  # a path that cannot be computed leaves the row alone
                calls.warnings.append(f"path: {type(exc).__name__}: {exc}")
        runs.append(calls)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = problem.reference_minimiser(reference)
        ref_error = ""
    except Exception as exc:
        ref, ref_error = None, f"{type(exc).__name__}: {' '.join(str(exc).split())}"
    options = {"methods": methods, "repeats": int(repeats), "curves": bool(curves),
               "timeout": None if timeout is None else float(timeout), "reference": reference,
               "repeat_budget_s": REPEAT_BUDGET_S}
    return Comparison.build(problem, runs, ref, ref_error, options)
