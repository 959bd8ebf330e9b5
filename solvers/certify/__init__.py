"""Certification: a trained diagonal network against the minimiser of its convex program.

:func:`distance_to_program` measures one trained predictor against the
program that theory associates with its training regime (:mod:`.programs`,
solved with the tight Clarabel settings and fallback ladder of
:mod:`.reference_solver`) and returns a :class:`Certificate`.
docs/certification.md lists the kinds and why each program is the right one.
"""
from .certificate import EXACT_TOL, Certificate
from .distance import KINDS, distance_to_program
from .reference_solver import REFERENCE_KKT, SOLVER_LADDER, SOLVER_OPTIONS, laddered

__all__ = ["Certificate", "EXACT_TOL", "KINDS", "distance_to_program", "laddered",
           "REFERENCE_KKT", "SOLVER_LADDER", "SOLVER_OPTIONS"]
