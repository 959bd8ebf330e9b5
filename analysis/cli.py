"""The featreuse command line: builds the parser from analysis.commands and the families.

A sub-command that raises a typed error (bad input) ends with exit code 2 and
one line on stderr naming the argument; argparse's own errors do the same.
"""
import argparse
import sys

from featreuse.errors import FeatreuseError
from featreuse.nets.numerics import pin_mkl_path

DESCRIPTION = ("featreuse: inductive biases of multi-task learning and finetuning. Train diagonal, "
               "ReLU and deep networks, sweep experiments into HDF5 files, plot them, and certify "
               "trained solutions against their convex programs.")


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line (no usage block) and exit code 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def user_errors():
    """Exception types that mean bad input (printed as one line, exit code 2)."""
    return (FeatreuseError,)


def build_parser():
    """The ``featreuse`` parser with every sub-command (generic ones, then the families')."""
    from .commands import COMMANDS
    from .families import all_families
    from featreuse.version import featreuse_version
    parser = Parser(prog="featreuse", description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"featreuse {featreuse_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands = dict(COMMANDS)
    for family in all_families():
        for name, module in family.commands.items():
            if name in commands:
                raise RuntimeError(f"family {family.name!r} redefines the command {name!r}")
            commands[name] = module
    for name, module in commands.items():
        p = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.configure(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv=None):
    """Run ``featreuse`` with ``argv`` (default: the process's); returns the exit code."""
    pin_mkl_path()  # before anything starts MKL (nets.numerics)
    args = build_parser().parse_args(argv)
    try:
        return args._run(args) or 0
    except user_errors() as exc:
        message = " ".join(str(exc).split())
        print(f"featreuse {args.command}: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
