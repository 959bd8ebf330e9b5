"""Convex reference programs for the implicit biases, with fast backends.

Every program returns a :class:`ConvexResult` carrying an optimality
certificate (relative duality gap or KKT residual). The cvxpy programs are
built once per structure and re-solved with new Parameter values
(:mod:`.cache`). See docs/convex.md.
"""
from .cache import CACHE, ProblemCache, clear_cache
from .entropy import entropy_certificate, entropy_program, implicit_bias, ptft_ideal
from .l1 import l1_certificate, min_l1
from .l12 import l12_certificate, min_l12, mtl_conditional
from .l2 import min_l2
from .group_lasso_polish import polish_group_lasso
from .penalised import group_lasso, group_lasso_certificate, lasso, lasso_certificate
from .result import ConvexResult

__all__ = [
    "ConvexResult", "min_l2", "min_l1", "min_l12", "implicit_bias", "ptft_ideal",
    "mtl_conditional", "lasso", "group_lasso", "polish_group_lasso", "entropy_program",
    "l1_certificate", "l12_certificate", "entropy_certificate", "lasso_certificate",
    "group_lasso_certificate",
    "clear_cache", "ProblemCache", "CACHE",
]
