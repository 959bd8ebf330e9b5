"""The sub-commands of ``featreuse``: one module each.

Every sub-command module has ``HELP`` (one line), ``configure(parser)`` (adds
its arguments) and ``run(args) -> int`` (does the work, returns the exit code).
A bad argument raises a typed error (:class:`solvers.errors.FeatreuseError` or
:class:`nets.errors.NetsError`), which :mod:`analysis.cli` prints as one line
with exit code 2. Families add their own sub-commands the same way
(:attr:`analysis.families.base.Family.commands`).
"""
from . import check, compare, info, listing, plot, run

COMMANDS = {"list": listing, "run": run, "plot": plot, "check": check, "info": info,
            "compare": compare}
