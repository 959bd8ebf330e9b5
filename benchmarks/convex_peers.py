"""Fast convex backends against the cvxpy (Clarabel) reference programs.

Data (LL's setting): D = 1000 features, Gaussian samples rescaled to
``||x||^2 = D``, a 40-sparse teacher with entries ``+-1/sqrt(40)``, noise-free
labels, init ``alpha = 1e-3``. Each pair is one :func:`featreuse.compare` call
(one timed call per method, the fast backend as the reference, so no extra
cvxpy solve). Run ``python -m benchmarks.convex_peers [--ns 64,512]``.
"""
import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from featreuse.analysis.compare import compare, problems  # noqa: E402
from featreuse.solvers.convex import clear_cache  # noqa: E402

D = 1000
K = 40
ALPHA = 1e-3


def sparse_teacher_data(n, seed, D=D, k=K):
    """Rows rescaled to ``||x||^2 = D`` and labels of a k-sparse +-1/sqrt(k) teacher."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, D))
    X *= np.sqrt(D) / np.linalg.norm(X, axis=1, keepdims=True)
    beta = np.zeros(D)
    beta[rng.choice(D, k, replace=False)] = rng.choice([-1.0, 1.0], k) / np.sqrt(k)
    return X, X @ beta


def init_array(D, seed, alpha=ALPHA):
    """A ``(4, D)`` init ``(w+, v+, w-, v-)``: every weight ``alpha`` times a factor in [1, 2)."""
    return alpha * (1.0 + np.random.default_rng(seed).random((4, D)))


def _row(name, problem, ours, repeats=9):
    """Time the fast backend ``ours`` and cvxpy on ``problem`` (fresh cvxpy cache).

    cvxpy is timed once (seconds to a minute, building the problem included); ours is the
    median of ``repeats`` calls (milliseconds, where a shared machine's noise is largest).
    """
    clear_cache()
    cmp = compare(problem, [ours, "cvxpy"], repeats=1, curves=False, reference=ours)
    t = cmp.table.set_index("method")
    bad = t[t["status"] != "ok"]
    if len(bad):
        raise RuntimeError(f"{name}: {dict(bad['status'])}")
    ours_s = float(compare(problem, [ours], repeats=repeats, curves=False).table["wall_s"].iloc[0])
    a, b = cmp.betas[ours], cmp.betas["cvxpy"]
    return {"name": name, "ours_s": ours_s,
            "peer_s": float(t.loc["cvxpy", "wall_s"]),
            "ratio": float(t.loc["cvxpy", "wall_s"]) / ours_s,
            "rel_diff_beta": float(np.linalg.norm(a - b) / np.linalg.norm(b)),
            "ours_certificate": float(t.loc[ours, "certificate"]),
            "peer_certificate": float(t.loc["cvxpy", "certificate"])}


def peer_rows(ns=(64, 512), n_aux=1024, n_main=64, D=D):
    """Time fast backends against cvxpy/Clarabel; one dict per comparison.

    Each row: ``name``, ``ours_s``, ``peer_s``, ``ratio`` (peer / ours),
    ``rel_diff_beta`` (relative distance of the two minimisers) and both
    certificates (as the comparison's table reports them). cvxpy times include
    building the problem (a fresh cache).
    """
    rows = []
    for n in ns:
        X, y = sparse_teacher_data(n, seed=n, D=D)
        rows.append(_row(f"implicit_bias n={n}", problems.implicit_bias(X, y, ALPHA), "newton"))
        rows.append(_row(f"implicit_bias n={n} (4, D) init",
                         problems.implicit_bias(X, y, init_array(D, seed=n)), "newton"))
        rows.append(_row(f"min_l1 n={n}", problems.min_l1(X, y), "highs"))
    # MTL: auxiliary and main tasks share one teacher support
    rng = np.random.default_rng(7)
    support = rng.choice(D, K, replace=False)
    Xs, ys = [], []
    for n in (n_aux, n_main):
        X = rng.standard_normal((n, D))
        X *= np.sqrt(D) / np.linalg.norm(X, axis=1, keepdims=True)
        b = np.zeros(D)
        b[support] = rng.choice([-1.0, 1.0], K) / np.sqrt(K)
        Xs.append(X)
        ys.append(X @ b)
    rows.append(_row(f"min_l12 n_aux={n_aux} n_main={n_main}", problems.min_l12(Xs, ys),
                     "reduced-clarabel"))
    clear_cache()
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ns", default="64,512",
                        help="sample sizes of the single-task programs (default 64,512)")
    parser.add_argument("--n-aux", type=int, default=1024, help="auxiliary samples (min_l12)")
    parser.add_argument("--n-main", type=int, default=64, help="main-task samples (min_l12)")
    parser.add_argument("--D", type=int, default=D, help=f"features (default {D})")
    args = parser.parse_args(argv)
    ns = tuple(int(n) for n in args.ns.split(","))
    rows = peer_rows(ns, n_aux=args.n_aux, n_main=args.n_main, D=args.D)
    print(f"{'program':34s} {'ours_s':>9s} {'cvxpy_s':>9s} {'ratio':>8s} {'rel_diff':>9s} "
          f"{'cert_ours':>10s} {'cert_cvxpy':>10s}")
    for r in rows:
        print(f"{r['name']:34s} {r['ours_s']:9.3f} {r['peer_s']:9.3f} {r['ratio']:8.1f} "
              f"{r['rel_diff_beta']:9.1e} {r['ours_certificate']:10.1e} "
              f"{r['peer_certificate']:10.1e}")


if __name__ == "__main__":
    sys.exit(main())
