"""Cost of committing runs to a sweep file, by the number of runs already stored.

Records are those of a tiny diagonal run (D = 20: beta, six scalars), written
through :class:`featreuse.analysis.store.Store` with no training in between. Two figures:

* per commit at N stored runs (N = 10 and 10,000 by default): the median and
  the mean of the next ``--window`` commits (the mean includes the folds into
  the HDF5 file that fall in the window);
* amortised over a whole sweep: wall time of committing N runs from an empty
  file to the closed file (folds and the final fold included), per run.

Usage::

    python benchmarks/store_commit.py [--stored 10 10000] [--sweeps 200 2000 20000] [--json F]
"""
import argparse
import json
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from featreuse.analysis.store import Store  # noqa: E402
from benchmarks.suite.problems import commit_config as _config  # noqa: E402
from benchmarks.suite.problems import commit_record as _record  # noqa: E402
from benchmarks.suite.problems import commit_run as _run  # noqa: E402

def per_commit(stored, window, folder):
    """Median and mean seconds of ``window`` commits after ``stored`` folded runs."""
    config = _config(folder)
    path = os.path.join(folder, f"at{stored}.h5")
    store = Store.open(path, config)
    for i in range(stored):
        store.commit(_run(i), _record(i))
    store.fold()
    times = []
    for i in range(stored, stored + window):
        t0 = time.perf_counter()
        store.commit(_run(i), _record(i))
        times.append(time.perf_counter() - t0)
    store.close()
    return {"stored": stored, "median_s": statistics.median(times),
            "mean_s": statistics.fmean(times), "file_bytes": os.path.getsize(path)}


def sweep(runs, folder):
    """Seconds per run to commit ``runs`` runs into a new file and close it."""
    config = _config(folder)
    path = os.path.join(folder, f"sweep{runs}.h5")
    t0 = time.perf_counter()
    store = Store.open(path, config)
    for i in range(runs):
        store.commit(_run(i), _record(i))
    store.close()
    wall = time.perf_counter() - t0
    return {"runs": runs, "wall_s": wall, "per_run_s": wall / runs,
            "file_bytes": os.path.getsize(path)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stored", type=int, nargs="+", default=[10, 10_000])
    parser.add_argument("--window", type=int, default=500)
    parser.add_argument("--sweeps", type=int, nargs="+", default=[200, 2_000, 20_000])
    parser.add_argument("--json", default=None, help="also write the results to this file")
    args = parser.parse_args(argv)
    out = {"per_commit": [], "sweeps": []}
    with tempfile.TemporaryDirectory() as folder:
        for n in args.stored:
            r = per_commit(n, args.window, folder)
            out["per_commit"].append(r)
            print(f"at {n:>6} stored runs: median {r['median_s'] * 1e3:.3f} ms, mean "
                  f"{r['mean_s'] * 1e3:.3f} ms per commit ({args.window} commits)")
        for n in args.sweeps:
            r = sweep(n, folder)
            out["sweeps"].append(r)
            print(f"sweep of {n:>6} runs: {r['wall_s']:.2f} s, {r['per_run_s'] * 1e3:.3f} ms per "
                  f"run, file {r['file_bytes'] / 1e6:.1f} MB")
    if len(out["per_commit"]) >= 2:
        a, b = out["per_commit"][0], out["per_commit"][-1]
        print(f"median ratio {b['stored']} vs {a['stored']} stored: "
              f"{b['median_s'] / a['median_s']:.2f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)
    return out


if __name__ == "__main__":
    main()
