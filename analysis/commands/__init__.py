"""The sub-commands of ``featreuse``: one module each.

Every sub-command module has ``HELP`` (one line), ``configure(parser)`` (adds
its arguments) and ``run(args) -> int`` (does the work, returns the exit code).
A bad argument raises a typed error (:class:`featreuse.errors.FeatreuseError`),
which :mod:`featreuse.analysis.cli` prints as one line with exit code 2. Families add their own sub-commands the same way
(:attr:`featreuse.analysis.families.base.Family.commands`).
"""
from . import check, compare, info, listing, plot, run

COMMANDS = {"list": listing, "run": run, "plot": plot, "check": check, "info": info,
            "compare": compare}
