"""featreuse plot: the paper-style figures of a sweep file, or the families' theory figures."""
from featreuse.errors import InputError

HELP = "draw the paper-style figures of an HDF5 sweep file (PNG + PDF)"


def configure(parser):
    """Arguments of ``featreuse plot``."""
    parser.add_argument("file", nargs="?", default=None, help="HDF5 file written by `featreuse run`")
    parser.add_argument("--out", default=None,
                        help="output folder (default: next to the file; with --penalties: figures)")
    parser.add_argument("--penalties", action="store_true",
                        help="also draw the families' penalty figures (closed forms, no training)")
    return parser


def run(args):
    """Check the output folder, draw, print the written paths."""
    from ..families import all_families
    from ..paths import check_output_folder
    from ..plots import plot_file
    if args.file is None and not args.penalties:
        raise InputError("plot needs an HDF5 file or --penalties")
    if args.out is not None:
        check_output_folder(args.out, "--out")
    paths = []
    if args.file is not None:
        paths += plot_file(args.file, args.out)
    if args.penalties:
        out = args.out or "figures"
        check_output_folder(out, "--out")
        for family in all_families():
            paths += family.theory_figures(out)
    for path in paths:
        print(path)
    return 0
