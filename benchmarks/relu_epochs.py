"""The epoch table of the ReLU family: how many epochs LL's protocol needs, from real runs.

Reads sweep files run under LL's full protocol (K = 1000, lr 0.1, batch 128,
tol 1e-8, at most 1e5 epochs; e.g. a seed sample of the full grid)::

    featreuse run relu-overlap --seeds 2 --set 'n=[16,64,256]' \\
        --set 'grid.shared=[6,0]' --out overlap-sample.h5
    python benchmarks/relu_epochs.py overlap-sample.h5 [more.h5 ...] \\
        [--write analysis/families/relu/epoch_table.json] [--markdown]

For every regime x n (pooled over the files' grid points and seeds) it takes
each run's stored loss curve and reports the median number of epochs to reach
a loss below 1e-6, 1e-7 and 1e-8 (None where the median run did not), the
share of runs that stopped at the cap, the mean restarts and the number of
runs. ``--write`` stores that table for the cost model of ``featreuse run NAME
--estimate`` (:mod:`featreuse.analysis.families.relu.cost`); ``--markdown``
prints the per-grid-point table of docs/relu.md.
"""
import argparse
import collections
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TOLS = (1e-6, 1e-7, 1e-8)


def epochs_to(curve_epochs, curve_loss, tol):
    """First stored epoch whose loss is below ``tol`` (None: never).

    The curve is stored at log-spaced epochs, so this is an upper bound within
    one curve step (about 3% at 200 points over 1e5 epochs); the last point is
    the run's last epoch.
    """
    below = np.flatnonzero(np.asarray(curve_loss) < tol)
    return None if below.size == 0 else int(curve_epochs[below[0]])


def collect(paths):
    """One row per trained run: regime, n, grid point, epochs to each tol, cap, restarts."""
    from featreuse.analysis.store import read_config, read_runs
    rows = []
    for path in paths:
        config = read_config(path)
        for run_id, (params, attrs, arrays) in read_runs(path).items():
            if attrs.get("status") != "done" or "loss_curve" not in arrays:
                continue
            regime = params["regime"]
            if regime in ("ptft_lp", "ntk"):
                continue
            n = config.teacher["n_aux"] if regime == "pretrain" else int(params["n"])
            point = {k: v for k, v in params.items() if k not in ("regime", "n", "seed")}
            rows.append(dict(
                regime=regime, n=n, point=json.dumps(point, sort_keys=True),
                seed=params["seed"], restarts=int(attrs.get("restarts", 0)),
                capped=bool(attrs.get("stopped_at_max", False)),
                epochs={t: epochs_to(arrays["loss_epochs"], arrays["loss_curve"], t)
                        for t in TOLS}))
    return rows


def _median(values, cap):
    """Median with None counted as the cap; None when the median is at the cap."""
    med = float(np.median([cap if v is None else v for v in values]))
    return None if med >= cap else int(round(med))


def table(rows, cap, by_point=False):
    """``{regime: {n: row}}`` (``{(regime, point): {n: row}}`` with ``by_point``)."""
    groups = collections.defaultdict(list)
    for r in rows:
        groups[(r["regime"], r["point"] if by_point else None, r["n"])].append(r)
    out = collections.defaultdict(dict)
    for (regime, point, n), runs in sorted(groups.items(), key=lambda kv: str(kv[0])):
        key = (regime, point) if by_point else regime
        out[key][n] = {
            "epochs": {f"{t:.0e}": _median([r["epochs"][t] for r in runs], cap) for t in TOLS},
            "capped": float(np.mean([r["capped"] for r in runs])),
            "restarts": float(np.mean([r["restarts"] for r in runs])),
            "runs": len(runs)}
    return dict(out)


def markdown(rows, cap):
    """The per-grid-point epoch table of docs/relu.md."""
    lines = ["| regime | grid point | n | runs | epochs to 1e-6 | to 1e-7 | to 1e-8 | "
             "at cap | restarts |", "|---|---|---|---|---|---|---|---|---|"]
    for (regime, point), by_n in table(rows, cap, by_point=True).items():
        for n, row in sorted(by_n.items()):
            e = row["epochs"]
            cells = [f"{e[f'{t:.0e}']:,}" if e[f"{t:.0e}"] is not None else "cap"
                     for t in TOLS]
            lines.append(f"| {regime} | {point} | {n} | {row['runs']} | " + " | ".join(cells)
                         + f" | {100 * row['capped']:.0f}% | {row['restarts']:.2f} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", help="sweep files under LL's full protocol")
    parser.add_argument("--write", default=None, help="write the cost model's JSON table here")
    parser.add_argument("--markdown", action="store_true", help="print the per-point table")
    parser.add_argument("--cap", type=int, default=100_000, help="the protocol's epoch cap")
    args = parser.parse_args(argv)
    rows = collect(args.files)
    pooled = table(rows, args.cap)
    for regime, by_n in pooled.items():
        for n, row in sorted(by_n.items()):
            print(f"{regime:13s} n = {n:5d}: {row['runs']:3d} runs, epochs to 1e-6/1e-7/1e-8 "
                  f"{row['epochs']}, at cap {100 * row['capped']:.0f}%, "
                  f"restarts {row['restarts']:.2f}")
    if args.markdown:
        print(markdown(rows, args.cap))
    if args.write:
        seeds = sorted({r["seed"] for r in rows})
        doc = {"protocol": {"K": 1000, "lr": 0.1, "batch_size": 128, "sigma": 1e-3,
                            "max_epochs": args.cap, "tol": 1e-8},
               "source": (f"median epochs of LL's protocol measured on seeds {seeds} of "
                          f"{', '.join(Path(p).stem for p in args.files)} "
                          f"(benchmarks/relu_epochs.py; docs/relu.md)"),
               "rows": {regime: {str(n): row for n, row in sorted(by_n.items())}
                        for regime, by_n in pooled.items()}}
        with open(args.write, "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
