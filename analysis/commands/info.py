"""featreuse info: what a sweep file holds and what made it (its provenance)."""
import collections

HELP = "show a sweep file's experiment, run counts and provenance (versions, machine, threads)"


def configure(parser):
    """Arguments of ``featreuse info``."""
    parser.add_argument("file", help="an HDF5 file written by `featreuse run`")
    return parser


def run(args):
    """Print the file's experiment, its runs by status and every provenance record."""
    from ..provenance import describe, read
    from ..store import statuses
    from ..store.target import describe_file
    attrs = describe_file(args.file, "file")
    counts = collections.Counter(statuses(args.file).values())
    print(f"{args.file}: experiment {attrs['experiment']} (family {attrs['family']}), "
          f"created {attrs.get('created', '?')} by featreuse {attrs.get('featreuse_version', '?')}")
    print(f"runs: {counts.get('done', 0)} done, {counts.get('failed', 0)} failed")
    sessions = read(attrs)
    if not sessions:
        print("provenance: not recorded (a file written before provenance was kept)")
    for i, record in enumerate(sessions, 1):
        print(f"session {i}: {describe(record)}")
    return 0
