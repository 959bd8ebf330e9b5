"""The ``featreuse`` command line.

Each sub-command lives in its own module, which provides ``configure(parser)``
(add its arguments) and ``run(args) -> int`` (do the work, return the exit code).
"""
import argparse
import importlib
import sys

# sub-command -> (module, one-line help)
COMMANDS = {
    "demo": ("analysis.demo", "train STL, MTL and PT+FT on the paper's diagonal teacher (gd and flow)"),
    "list": ("analysis.commands", "list the named experiments"),
    "run": ("analysis.commands", "run a named experiment sweep into an HDF5 file"),
    "plot": ("analysis.commands", "draw the paper-style figure(s) of an HDF5 file"),
    "check": ("analysis.certify", "certification table: trained solutions vs convex minimisers"),
}


def build_parser():
    parser = argparse.ArgumentParser(prog="featreuse", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        module = importlib.import_module(module_name)
        p = sub.add_parser(name, help=help_text, description=help_text)
        configure = getattr(module, f"configure_{name}", None) or module.configure
        configure(p)
        p.set_defaults(_run=getattr(module, f"run_{name}", None) or module.run)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    return args._run(args) or 0


if __name__ == "__main__":
    sys.exit(main())
