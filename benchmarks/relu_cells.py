"""Every cell of a ReLU sweep file: gen. loss as mean +- 2 standard errors over seeds.

A cell is a regime x grid point x variant (e.g. the rescale s) x n; a regime
without the variant shows it as nan. Run::

    python benchmarks/relu_cells.py FILE.h5 [--markdown] [--columns n]

``--columns n`` puts n across (one row per regime x grid point x variant), which is
how docs/relu.md shows the full tables. A cell's entry is ``mean ± 2 SE`` (SE:
standard deviation over seeds / sqrt(seeds)); a cell with a run that stopped at its
epoch cap (not converged) is marked ``*``, and one whose runs failed ``!``.
"""
import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def cell_keys(path, df):
    """Columns that name a cell: regime, the swept grid keys, the variant keys (e.g. the
    rescale s) that ``df`` holds, and n."""
    from featreuse.analysis.families.relu.config import swept_keys
    from featreuse.analysis.store import read_config
    config = read_config(path)
    variants = sorted({k for keys in config.variants.values() for k in keys} - {"n"})
    return ["regime"] + swept_keys(config) + [k for k in variants if k in df] + ["n"]


def print_table(head, lines, markdown):
    """Print rows of strings under ``head`` as markdown or as right-aligned columns."""
    if markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for line in lines:
            print("| " + " | ".join(line) + " |")
        return
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(head)]
    print("  ".join(h.rjust(w) for h, w in zip(head, widths)))
    for line in lines:
        print("  ".join(v.rjust(w) for v, w in zip(line, widths)))


def cells(path):
    """``(keys, rows)``: one dict per cell with the mean, 2 SE, seeds and convergence."""
    from featreuse import analysis
    df = analysis.load(path)
    keys = cell_keys(path, df)
    rows = []
    for cell, g in df.groupby(keys, sort=True, dropna=False):
        loss = g["gen_loss"].to_numpy(dtype=float)
        ok = loss[np.isfinite(loss)]
        se2 = 2 * float(np.std(ok, ddof=1) / np.sqrt(len(ok))) if len(ok) > 1 else float("nan")
        capped = int(g["stopped_at_max"].fillna(False).astype(bool).sum()) \
            if "stopped_at_max" in g else 0
        rows.append(dict(zip(keys, cell), seeds=len(g), mean=float(ok.mean()) if len(ok)
                         else float("nan"), se2=se2, capped=capped, failed=len(loss) - len(ok)))
    return keys, rows


def label(value):
    """A key's value as printed; a variant key a regime does not have (NaN) as "-"."""
    return "-" if isinstance(value, float) and np.isnan(value) else str(value)


def entry(row):
    mark = ("*" if row["capped"] else "") + ("!" if row["failed"] else "")
    return f"{row['mean']:.2g} ± {row['se2']:.1g}{mark}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", help="a ReLU sweep file")
    parser.add_argument("--markdown", action="store_true", help="print a markdown table")
    parser.add_argument("--columns", choices=["n"], default=None,
                        help="put this key across the table")
    args = parser.parse_args(argv)
    keys, rows = cells(args.file)
    if args.columns:
        across = sorted({r[args.columns] for r in rows})
        down = [k for k in keys if k != args.columns]
        table = {}
        for r in rows:
            # labels, not values, name a row: NaN keys (a variant a regime lacks) never compare equal
            table.setdefault(tuple(label(r[k]) for k in down), {})[r[args.columns]] = entry(r)
        head = down + [f"{args.columns} = {v}" for v in across]
        lines = [list(key) + [cells_.get(v, "-") for v in across]
                 for key, cells_ in table.items()]
    else:
        head = keys + ["seeds", "gen. loss (mean ± 2 SE)", "at cap", "failed"]
        lines = [[label(r[k]) for k in keys] + [str(r["seeds"]), entry(r), str(r["capped"]),
                                              str(r["failed"])] for r in rows]
    print_table(head, lines, args.markdown)


if __name__ == "__main__":
    main()
