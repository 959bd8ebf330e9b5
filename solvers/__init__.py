"""featreuse solvers: diagonal-network trainers, convex programs and penalties.

numpy + numba + scipy + cvxpy only; no torch and no file I/O.
"""
from . import errors, validation, diagonal
from .errors import (FeatreuseError, InputError, InputTypeError, DivergenceError,
                     InfeasibleError, SolverError, ConvergenceWarning)
from .results import SingleResult, MultiResult
from .train import train_single, train_single_batch, train_multi, finetune
from . import penalties
from .saddle_path import saddle_path, SaddlePath
