"""Implicit-regularisation penalties of diagonal networks (single task, MTL, PT+FT).

All functions are vectorised numpy. Conventions follow ``docs/theory.md`` and
``docs/penalties.md``: a single-task diagonal network started at flow constants
``A, B`` (see :func:`featreuse.solvers.diagonal.log_AB`) converges to the interpolant
minimising the entropy penalty (P-ent)

    sum_d  kappa_d q(beta_d / kappa_d) - delta_d beta_d,
    kappa = sqrt(A B),  delta = ln(A / B) / 2,
    q(z) = 2 - sqrt(4 + z^2) + z arcsinh(z / 2).

Per-feature penalties (MTL conditional, PT+FT, ReLU finetuning) take the
main-task coefficient ``beta`` and the auxiliary-task coefficient ``beta_aux``
and broadcast like numpy ufuncs; with ``reduce=True`` (the default) they are
summed over the last axis (the feature axis D).

Modules: :mod:`.entropy` (q, (P-ent)), :mod:`.norms` (l1, l12, the weight-decayed MTL
objective), :mod:`.transfer` (MTL and PT+FT per-feature penalties), :mod:`.relu` (the ReLU
finetuning penalty), :mod:`.sensitivity` (l-order and feature dependence), :mod:`.checks`.
Every public name is importable from here (``featreuse.solvers.penalties.<name>``).
"""
from .entropy import Q_alpha, entropy_penalty, entropy_terms, q, q_prime
from .norms import l1, l12, mtl_weight_decay_objective
from .relu import relu_ft_penalty
from .sensitivity import feature_dependence, l_order
from .transfer import (balanced_params, mtl_conditional_penalty, ptft_ideal_penalty,
                       ptft_penalty)

__all__ = [
    "q", "q_prime", "Q_alpha", "entropy_terms", "entropy_penalty", "l1", "l12",
    "mtl_weight_decay_objective", "balanced_params", "ptft_penalty", "ptft_ideal_penalty",
    "mtl_conditional_penalty", "relu_ft_penalty", "l_order", "feature_dependence",
]
