"""The flow trainer against LL's SGD protocol, cell by cell: gen. loss and cost.

Give two sweep files of the same experiment and grid, one trained with LL's SGD
(``train.method = "sgd"``, the default) and one with the flow trainer::

    featreuse run relu-overlap --seeds 2 --set 'n=[16,64,256]' --set 'grid.shared=[6,0]' \\
        --out sgd.h5
    featreuse run relu-overlap --seeds 2 --set 'n=[16,64,256]' --set 'grid.shared=[6,0]' \\
        --set train.method=flow --out flow.h5
    python benchmarks/relu_flow_certify.py sgd.h5 flow.h5 [--markdown]

For every cell (regime x grid point x n) it prints the gen. loss of each
trainer (mean over seeds), the seed spread of the SGD cell (standard deviation
over seeds), the largest paired difference (same seed) relative to the SGD
value, whether the two means agree within the seed spread, and the cost:
SGD's epochs against the flow's gradient-evaluation equivalents (medians). The
totals give the network-epochs of each file's trained runs and their ratio.
"""
import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TRAINED = ("stl", "mtl", "ptft", "ptft_readout")


def cells(sgd_path, flow_path):
    """One row per cell; and the network-epochs of each file's trained runs."""
    from featreuse import analysis
    from benchmarks.relu_cells import cell_keys
    sgd, flow = analysis.load(sgd_path), analysis.load(flow_path)
    keys = cell_keys(sgd_path, sgd)
    for df in (sgd, flow):
        if "epoch_equivalents" not in df:   # written before the column existed: SGD's
            df["epoch_equivalents"] = df["epochs"]          # epochs are its cost
    both = sgd.merge(flow, on=keys + ["seed"], suffixes=("_sgd", "_flow"))
    rows = []
    for cell, g in both.groupby(keys, sort=True, dropna=False):
        s, f = g["gen_loss_sgd"].to_numpy(), g["gen_loss_flow"].to_numpy()
        spread = float(np.std(s, ddof=1)) if len(s) > 1 else float("nan")
        row = dict(zip(keys, cell), seeds=len(g), sgd=float(s.mean()), flow=float(f.mean()),
                   spread=spread, paired=float(np.max(np.abs(f - s) / s)))
        row["agrees"] = bool(abs(row["flow"] - row["sgd"]) <= spread)
        if cell[0] in TRAINED:
            row["epochs"] = float(np.median(g["epochs_sgd"]))
            row["equivalents"] = float(np.median(g["epoch_equivalents_flow"]))
        rows.append(row)
    totals = {}
    for name, df in (("sgd", sgd), ("flow", flow)):
        trained = df[df["regime"].isin(TRAINED)]
        totals[name] = float(trained["epoch_equivalents"].sum())
    return keys, rows, totals


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sgd", help="sweep file trained with LL's SGD")
    parser.add_argument("flow", help="the same sweep trained with method = 'flow'")
    parser.add_argument("--markdown", action="store_true", help="print a markdown table")
    args = parser.parse_args(argv)
    from benchmarks.relu_cells import print_table
    keys, rows, totals = cells(args.sgd, args.flow)
    head = keys + ["seeds", "SGD gen. loss", "flow gen. loss", "seed spread",
                   "max paired diff", "within spread", "SGD epochs", "flow grad. evals"]
    lines = []
    for r in rows:
        cost = ([f"{r['epochs']:.0f}", f"{r['equivalents']:.0f}"] if "epochs" in r
                else ["-", "-"])
        lines.append([str(r[k]) for k in keys] + [
            str(r["seeds"]), f"{r['sgd']:.4g}", f"{r['flow']:.4g}", f"{r['spread']:.2g}",
            f"{100 * r['paired']:.1f}%", "yes" if r["agrees"] else "NO"] + cost)
    print_table(head, lines, args.markdown)
    agree = sum(r["agrees"] for r in rows)
    print(f"\n{agree} of {len(rows)} cells agree within the seed spread; trained runs' "
          f"network-epochs: SGD {totals['sgd']:.3g}, flow {totals['flow']:.3g} (gradient "
          f"evaluations), ratio {totals['sgd'] / totals['flow']:.1f}x")


if __name__ == "__main__":
    main()
