"""A problem: a convex program, the methods that compute its minimiser, and how to score them.

Problems are made by the functions of :mod:`featreuse.analysis.compare.problems`, which
validate the data up front; :func:`featreuse.analysis.compare.compare` runs their methods.
"""
from dataclasses import dataclass

import numpy as np

from featreuse.errors import InputError
from featreuse.validation import check_choice


@dataclass(frozen=True)
class Method:
    """One way to compute a problem's minimiser.

    Attributes
    ----------
    name : str
        Its name in :data:`featreuse.analysis.compare.methods.METHODS`.
    run : callable
        ``run(deadline, record) -> MethodRun``: ``deadline`` is a
        :func:`time.perf_counter` value (or None) at which an iterative method
        stops and a Clarabel solve gives up; ``record`` asks for the path.
    solver : str
        The numerical solver the answer rests on. Two methods on the same
        solver do not check each other (``independent`` in the table).
    exact : bool
        Theory says the method's answer is the program's minimiser (to the
        method's own tolerance); otherwise its distance measures a gap.
    path : callable, optional
        ``path(run) -> Path``: the path of a method whose path is computed
        apart from its timed call (the single-task flow's exact trajectory).
    """

    name: str
    run: object
    solver: str
    exact: bool
    path: object = None


@dataclass
class Reference:
    """The minimiser distances are measured to.

    Attributes
    ----------
    beta : ndarray (D,) or (D, T)
    method : str
        The method that computed it (``"cvxpy"``; ``"newton"`` when no cvxpy
        answer of an entropy program was accurate enough).
    solver : str
        The solver it rests on (see :attr:`Method.solver`).
    certificate : float
        Its own optimality certificate.
    tolerance : str
        Which Clarabel tolerance answered (``1e-12``, ``1e-10``, ``default``,
        ``given`` for a method other than cvxpy, or the fallback).
    """

    beta: np.ndarray
    method: str
    solver: str
    certificate: float
    tolerance: str


class Problem:
    """A convex program with the methods that solve it (or whose limit it is).

    Parameters
    ----------
    name : str
        The factory's name (``"implicit_bias"``, ``"min_l1"``, ...).
    description : str
        The program in one line.
    shape : tuple
        Shape of the predictor: ``(D,)`` or ``(D, T)``.
    methods : list of Method
        The methods that apply, in table order.
    objective : callable
        ``objective(beta) -> float``: the program's objective (penalty).
    residual : callable
        ``residual(beta) -> float``: ``||X beta - y|| / ||y||`` (largest over tasks).
    reference_solve : callable
        ``() -> (MethodRun, method, solver, tolerance)``: the laddered cvxpy solve.
    certificate : callable, optional
        ``certificate(beta) -> float``: the program's optimality certificate
        at any ``beta`` (KKT residual, duality gap); without it a row shows the
        solver's own certificate, NaN for trainers.
    certificate_kind : str
        What the certificate column holds.
    reference : str
        Default method of the reference minimiser (``"cvxpy"``).
    settings : dict
        The problem's parameters (init, lr, ...), recorded with a comparison.
    """

    def __init__(self, name, description, shape, methods, objective, residual, reference_solve,
                 certificate=None, certificate_kind="", reference="cvxpy", settings=None):
        self.name = name
        self.description = description
        self.shape = tuple(shape)
        self._methods = {m.name: m for m in methods}
        self._objective = objective
        self._residual = residual
        self._reference_solve = reference_solve
        self._certificate = certificate
        self.certificate_kind = certificate_kind
        self.settings = dict(settings or {})
        self.reference = self.check_reference(reference)
        self._references = {}

    @property
    def methods(self):
        """Names of the methods that apply, in table order."""
        return tuple(self._methods)

    def method(self, name):
        """The :class:`Method` called ``name`` (InputError when it does not apply)."""
        if name not in self._methods:
            raise InputError(f"methods: {name!r} does not apply to problem {self.name!r} "
                             f"(its methods: {', '.join(self._methods)})")
        return self._methods[name]

    def check_reference(self, reference):
        """Check ``reference`` names an exact method of the problem; return it."""
        exact = tuple(n for n, m in self._methods.items() if m.exact)
        return check_choice(reference, exact, "reference")

    def _beta(self, beta):
        beta = np.asarray(beta, dtype=float)
        if beta.shape != self.shape:
            raise InputError(f"beta must have shape {self.shape}, got {beta.shape}")
        return beta

    def objective(self, beta):
        """The program's objective at ``beta`` (float)."""
        return float(self._objective(self._beta(beta)))

    def residual(self, beta):
        """Relative constraint residual ``||X beta - y|| / ||y||`` (largest over tasks)."""
        return float(self._residual(self._beta(beta)))

    def certificate(self, beta):
        """The program's optimality certificate at ``beta``, NaN when it has none for any beta."""
        if self._certificate is None:
            return float("nan")
        return float(self._certificate(self._beta(beta)))

    def distance(self, beta, reference):
        """``||beta - reference|| / ||reference||`` (Frobenius; absolute for a zero reference)."""
        beta, reference = self._beta(beta), self._beta(reference)
        scale = float(np.linalg.norm(reference))
        diff = float(np.linalg.norm(beta - reference))
        return diff / scale if scale > 0 else diff

    def run(self, method, deadline=None, record=False):
        """One call of ``method``: a :class:`~.method_run.MethodRun`."""
        return self.method(method).run(deadline, record)

    def reference_minimiser(self, method=None):
        """The minimiser distances are measured to (computed once per method).

        Parameters
        ----------
        method : str, optional
            An exact method of the problem (default :attr:`reference`):
            ``"cvxpy"`` is solved by the certification ladder, any other
            method is run once.

        Returns
        -------
        Reference
        """
        method = self.reference if method is None else self.check_reference(method)
        if method not in self._references:
            if method == "cvxpy":
                run, label, solver, tol = self._reference_solve()
            else:
                run, label, solver, tol = self.run(method), method, self.method(method).solver, \
                    "given"
            cert = run.certificate if np.isfinite(run.certificate) else self.certificate(run.beta)
            self._references[method] = Reference(self._beta(run.beta), label, solver, float(cert),
                                                  str(tol))
        return self._references[method]

    def __repr__(self):
        shape = "x".join(str(s) for s in self.shape)
        return (f"<Problem {self.name} beta {shape}: {self.description}; methods "
                f"{', '.join(self._methods)}; reference {self.reference}>")
