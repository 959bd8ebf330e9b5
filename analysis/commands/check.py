"""featreuse check: the certification table, trained solutions vs what theory says they are."""
import json

from ..certificate import EXACT_TOL

HELP = "certification table: trained solutions vs their convex programs"


def configure(parser):
    """Arguments of ``featreuse check``."""
    parser.add_argument("--quick", action="store_true", help="small problem sizes (about a minute)")
    parser.add_argument("--family", default=None, help="only this family's cases (default: all)")
    parser.add_argument("--json", metavar="FILE", default=None,
                        help="also write the rows as JSON to FILE")
    parser.add_argument("--plot", metavar="DIR", default=None,
                        help="also draw the families' certification figures (PNG + PDF) into DIR")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser


def run(args):
    """Check the outputs, run every case, print the table.

    Exit code 1 when an exact row fails, else 0.
    """
    from ..certificate import format_table, run_cases
    from ..families import all_families, get_family
    from ..paths import check_output_file, check_output_folder
    families = [get_family(args.family)] if args.family else all_families()
    if args.json:
        check_output_file(args.json, "--json")
    if args.plot:
        check_output_folder(args.plot, "--plot")
    rows, paths = [], []
    for family in families:
        new = run_cases(family.certification_cases(args.quick), progress=not args.no_progress)
        if args.plot and new:
            paths += family.certification_figures(new, args.plot)
        rows += new
    print(format_table(rows))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump([r.as_dict() for r in rows], fh, indent=1)
    for path in paths:
        print(path)
    failed = [r.case for r in rows if r.failed]
    if failed:
        print(f"FAIL: {len(failed)} exact row(s) above their tolerance: {', '.join(failed)}")
        return 1
    print(f"ok: every exact row within its tolerance (default {EXACT_TOL:g})")
    return 0
