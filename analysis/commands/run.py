"""featreuse run: run (or resume) a named experiment's sweep into an HDF5 file."""
import os

from featreuse.errors import InputError

HELP = "run a named experiment's sweep into an HDF5 file (resumes an existing one)"


def configure(parser):
    """Arguments of ``featreuse run``."""
    parser.add_argument("name", help="experiment name (see `featreuse list`) or a path to a .toml file")
    parser.add_argument("--quick", action="store_true", help="the experiment's small grid")
    parser.add_argument("--seeds", type=int, default=None, help="number of seeds (0..N-1)")
    parser.add_argument("--out", default=None,
                        help="HDF5 file (default: results/NAME[-quick].h5); an existing file of "
                             "the same experiment and options is resumed")
    parser.add_argument("--workers", type=int, default=None,
                        help="local worker processes (default: CPU count; 0 = in this process)")
    parser.add_argument("--scheduler", default=None, help="dask.distributed scheduler address")
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"),
                        help="device of the torch-based families (numpy families use the CPU)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a key of the experiment file (after [quick]), e.g. "
                             "--set train.lr=0.1; repeatable")
    parser.add_argument("--data", default=None, metavar="PATH",
                        help="the experiment's data (same as --set data=PATH), e.g. an extracted "
                             "cifar-100-python folder for the deep family")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--estimate", action="store_true",
                        help="print the predicted network-epochs, core-hours and wall time for "
                             "--workers, and run nothing (families with a cost model)")
    return parser


def default_out(config):
    """``results/<name>[-quick].h5`` under the current folder."""
    return os.path.join("results", f"{config.name}{'-quick' if config.quick else ''}.h5")


def run(args):
    """Check every argument, then run or resume the sweep (:func:`featreuse.analysis.run`);
    print a one-line report.

    Exit code 0 when every run is done, 1 when some failed (they are in the file
    with their error).
    """
    from .. import run as run_experiment
    from ..experiments import parse_override
    if args.workers is not None and args.workers < 0:
        raise InputError(f"--workers must be >= 0, got {args.workers}")
    if args.seeds is not None and args.seeds < 1:
        raise InputError(f"--seeds must be >= 1, got {args.seeds}")
    overrides = dict(parse_override(text) for text in args.set)
    if args.data is not None:
        overrides["data"] = args.data
    if args.estimate:
        return _estimate(args, overrides)
    counts = run_experiment(args.name, args.out, quick=args.quick, seeds=args.seeds,
                            settings=overrides, workers=args.workers, scheduler=args.scheduler,
                            device=args.device, progress=not args.no_progress)
    print(f"{counts['experiment']}: {counts['runs']} runs: {counts['done']} done, "
          f"{counts['failed']} failed, {counts['skipped']} already done, "
          f"{counts['wall_s']:.1f} s -> {counts['out']}")
    if "busy_s" in counts:
        epochs = counts.get("network_epochs")
        print(f"cost: {counts['busy_s'] / 3600:.3g} core-hours, utilisation "
              f"{100 * counts['utilisation']:.0f}%"
              + (f", {epochs:.4g} network-epochs" if epochs is not None else ""))
    return 1 if counts["failed"] else 0


def _estimate(args, overrides):
    """``--estimate``: the predicted cost of the whole sweep (nothing is run or written)."""
    from ..estimate import describe, estimate
    from ..experiments import load_experiment
    from ..sweep import check_device
    if args.scheduler:
        raise InputError("--estimate predicts local workers; give --workers N, not --scheduler")
    config = load_experiment(args.name, quick=args.quick, seeds=args.seeds, overrides=overrides)
    workers = args.workers if args.workers else (os.cpu_count() or 1)
    print("\n".join(describe(estimate(config, workers, check_device(args.device)))))
    return 0
