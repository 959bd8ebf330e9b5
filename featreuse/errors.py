"""Every error and warning featreuse raises: one hierarchy for the whole package.

Every error names the argument (or the solver) at fault. Input errors are also
``ValueError`` / ``TypeError`` so that generic handlers keep working.
``featreuse.InputError``, ``featreuse.solvers.InputError`` and
``featreuse.nets.InputError`` are this module's class.
"""


class FeatreuseError(Exception):
    """Base class of every error raised by featreuse."""


class InputError(FeatreuseError, ValueError):
    """An argument has the wrong shape, value or contents."""


class InputTypeError(FeatreuseError, TypeError):
    """An argument has the wrong type."""


class DivergenceError(FeatreuseError, RuntimeError):
    """Training still diverged (loss above its limit, or NaN) after all learning-rate restarts."""


class InfeasibleError(FeatreuseError, ValueError):
    """The requested program or limit does not exist for this data.

    For example, no interpolant exists (labels outside the range of ``X``) or
    sign-constrained coordinates cannot fit the labels.
    """


class SolverError(FeatreuseError, RuntimeError):
    """A numerical solver failed; ``status`` carries the solver's own status."""

    def __init__(self, message, status=None):
        super().__init__(message if status is None else f"{message} (solver status: {status})")
        self.status = status


class ConvergenceWarning(UserWarning):
    """An iterative method stopped (max steps, epochs or time) before its tolerance."""
