"""Typed errors and warnings raised by :mod:`nets`.

Every error names the argument at fault. Input errors are also
``ValueError``/``TypeError`` so that generic handlers keep working.
"""


class NetsError(Exception):
    """Base class of every error raised by :mod:`nets`."""


class InputError(NetsError, ValueError):
    """An argument has the wrong shape, value or contents."""


class InputTypeError(NetsError, TypeError):
    """An argument has the wrong type."""


class DivergenceError(NetsError, RuntimeError):
    """Training still diverged (loss above its limit, or NaN) after all learning-rate restarts."""


class ConvergenceWarning(UserWarning):
    """Training stopped at its maximum number of epochs (or steps) before its tolerance."""
