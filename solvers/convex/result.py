"""Result object shared by every convex program in :mod:`featreuse.solvers.convex`."""
from dataclasses import dataclass, field

import numpy as np


@dataclass
class ConvexResult:
    """Solution of a convex reference program with its optimality certificate.

    Attributes
    ----------
    beta : ndarray (D,) or (D, T)
        Minimiser; one column per task for multi-task programs.
    objective : float
        Value of the program's own (primal) objective at ``beta``.
    status : str
        ``"optimal"``; any other outcome raises instead of returning.
    primal_residual : float
        Relative interpolation residual ``||X beta - y||_2 / ||y||_2`` (largest
        over tasks; absolute when ``y = 0``). For penalised programs it is the
        relative training residual, reported for information only.
    certificate : float
        Dimensionless optimality measure, see ``certificate_kind``.
    certificate_kind : str
        ``"duality_gap"``: ``(P(beta) - D(dual)) / max(|P|, |D|)`` for an
        explicitly dual-feasible point; ``"kkt_residual"``: the largest
        relative violation of the optimality conditions.
    solver : str
        ``"CLARABEL"`` (or the cvxpy solver asked for), ``"highs"``,
        ``"closed_form"``, ``"reduced_clarabel"`` (reduced ell_{1,2} cone
        program), ``"reduced_flow"`` or ``"trivial"`` (every coordinate frozen).
    wall_s : float
        Wall-clock seconds, including the certificate.
    info : dict
        Program-specific extras (dual variables, iteration counts, cache hits).
    """

    beta: np.ndarray
    objective: float
    status: str
    primal_residual: float
    certificate: float
    certificate_kind: str
    solver: str
    wall_s: float
    info: dict = field(default_factory=dict)
