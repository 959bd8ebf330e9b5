"""The ``featreuse list``, ``run`` and ``plot`` sub-commands (see :mod:`analysis.cli`).

::

    featreuse list
    featreuse run NAME [--quick] [--seeds N] [--out FILE.h5] [--workers N]
                       [--scheduler ADDR] [--device cpu|cuda]
    featreuse plot FILE.h5 [--out DIR]

Every argument is checked before any work; a bad one prints ``error: ...`` and
returns exit code 2.
"""
import os
import sys

from solvers.errors import FeatreuseError


def _fail(message):
    print(f"error: {message}", file=sys.stderr)
    return 2


# ------------------------------------------------------------------ list
def configure_list(p):
    """No arguments."""
    return p


def run_list(args):
    """Print each named experiment and its one-line description."""
    from .experiments import list_experiments
    exps = list_experiments()
    width = max(map(len, exps), default=0)
    for name, desc in exps.items():
        print(f"{name:<{width}}  {desc}")
    return 0


# ------------------------------------------------------------------ run
def configure_run(p):
    """Arguments of ``featreuse run``."""
    p.add_argument("name", help="experiment name (see `featreuse list`) or a path to a .toml file")
    p.add_argument("--quick", action="store_true", help="the experiment's small grid (CI)")
    p.add_argument("--seeds", type=int, default=None, help="number of seeds (0..N-1)")
    p.add_argument("--out", default=None, help="HDF5 file (default: results/NAME[-quick].h5); "
                   "an existing file of the same experiment and options is resumed")
    p.add_argument("--workers", type=int, default=None,
                   help="local worker processes (default: CPU count; 0 = in this process)")
    p.add_argument("--scheduler", default=None, help="dask.distributed scheduler address")
    p.add_argument("--device", default="cpu", choices=("cpu", "cuda"),
                   help="device of torch-based methods (the diagonal solvers always use the CPU)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p


def default_out(config):
    """``results/<name>[-quick].h5`` under the current folder."""
    return os.path.join("results", f"{config['name']}{'-quick' if config['quick'] else ''}.h5")


def run_run(args):
    """Validate everything, then run or resume the sweep; prints a one-line report."""
    from .experiments import load_experiment
    from .sweep import run_sweep
    try:
        if args.workers is not None and args.workers < 0:
            return _fail(f"--workers must be >= 0, got {args.workers}")
        if args.seeds is not None and args.seeds < 1:
            return _fail(f"--seeds must be >= 1, got {args.seeds}")
        config = load_experiment(args.name, quick=args.quick, seeds=args.seeds)
        out = args.out
        if out is None:
            out = default_out(config)
            os.makedirs(os.path.dirname(out), exist_ok=True)
        counts = run_sweep(config, out, workers=args.workers, scheduler=args.scheduler,
                           device=args.device, progress=not args.no_progress)
    except FeatreuseError as exc:
        return _fail(str(exc))
    print(f"{config['name']}: {counts['done']} done, {counts['failed']} failed, "
          f"{counts['skipped']} already done, {counts['wall_s']:.1f} s -> {out}")
    return 1 if counts["failed"] else 0


# ------------------------------------------------------------------ plot
def configure_plot(p):
    """Arguments of ``featreuse plot``."""
    p.add_argument("file", nargs="?", default=None, help="HDF5 file written by `featreuse run`")
    p.add_argument("--out", default=None, help="output folder (default: next to the file)")
    p.add_argument("--penalties", action="store_true",
                   help="draw LL's penalty figures (Fig. 1a-c, 3a, 3d) into --out (default: figures)")
    return p


def run_plot(args):
    """Draw the file's figure(s) as PNG and PDF; prints the paths."""
    from .plots import plot_file
    if args.file is None and not args.penalties:
        return _fail("plot needs an HDF5 file or --penalties")
    paths = []
    if args.penalties:
        from .penalty_figures import penalty_figures
        paths += penalty_figures(args.out or "figures")
    if args.file is None:
        for path in paths:
            print(path)
        return 0
    try:
        paths += plot_file(args.file, args.out)
    except FeatreuseError as exc:
        return _fail(str(exc))
    for path in paths:
        print(path)
    return 0
