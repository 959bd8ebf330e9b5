"""Wall times of the ReLU experiments: the --quick grids measured, the full sweeps estimated.

``--quick``: runs every named ``relu-*`` experiment's --quick grid through
:func:`featreuse.analysis.sweep.run_sweep` (local workers, default: the CPU count) into a
temporary folder (or ``--keep DIR``) and prints each wall time, the CPU time
of the driver and its workers, and the totals.

``--estimate``: the full sweeps (LL's protocol) take hours, so they are
predicted, as ``featreuse run NAME --estimate`` does for one experiment: the
epochs each run needs come from the measured epoch table
(``featreuse/analysis/families/relu/epoch_table.json``, written by
``benchmarks/relu_epochs.py``), the CPU cost of a network-epoch is calibrated
on short stacks here, and the stacks are list-scheduled on ``--workers``.

Run ``python benchmarks/relu_sweeps.py --quick [--keep DIR]`` or
``python benchmarks/relu_sweeps.py --estimate [--workers 2] [--json FILE]``.
"""
import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

NAMES = ["relu-overlap", "relu-sparsity", "relu-rescale", "relu-correlated"]


def quick(workers, keep=None, names=NAMES):
    """Run the quick grids (files in ``keep``, else discarded); returns wall and CPU seconds."""
    from featreuse.analysis.experiments import load_experiment
    from featreuse.analysis.sweep import run_sweep
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = keep or tmp
        for name in names:
            config = load_experiment(name, quick=True)
            start, cpu = time.perf_counter(), _cpu_seconds()
            counts = run_sweep(config, os.path.join(folder, f"{name}-quick.h5"),
                               workers=workers, progress=False)
            out[name] = {"wall_s": time.perf_counter() - start, "cpu_s": _cpu_seconds() - cpu}
            print(f"{name:18s} --quick: {counts['runs']:4d} runs, {counts['failed']} failed, "
                  f"{out[name]['wall_s']:7.1f} s wall, {out[name]['cpu_s']:7.1f} s CPU",
                  flush=True)
    print(f"{'all':18s} --quick: {sum(v['wall_s'] for v in out.values()):7.1f} s wall, "
          f"{sum(v['cpu_s'] for v in out.values()):7.1f} s CPU")
    return out


def _cpu_seconds():
    """CPU seconds of this process and its finished children (the sweep's workers)."""
    import resource
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def estimate(workers, device="cpu"):
    """The full sweeps' cost, predicted by :func:`featreuse.analysis.estimate.estimate`."""
    from featreuse.analysis.estimate import describe
    from featreuse.analysis.estimate import estimate as predict
    from featreuse.analysis.experiments import load_experiment
    out = {}
    for name in NAMES:
        est = predict(load_experiment(name), workers, device)
        print("\n".join(describe(est)), flush=True)
        out[name] = {k: est[k] for k in ("network_epochs", "core_s", "wall_s", "utilisation")}
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="time the --quick grids")
    parser.add_argument("--estimate", action="store_true", help="estimate the full sweeps")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--names", default=",".join(NAMES),
                        help="comma-separated experiments (--quick; default: all four)")
    parser.add_argument("--keep", default=None,
                        help="folder for the --quick files (default: a discarded temporary one)")
    parser.add_argument("--json", default=None, help="write the results to this file")
    args = parser.parse_args(argv)
    if not (args.quick or args.estimate):
        parser.error("give --quick and/or --estimate")
    result = {}
    if args.quick:
        result["quick"] = quick(args.workers, args.keep, args.names.split(","))
    if args.estimate:
        result["estimate"] = estimate(args.workers)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
