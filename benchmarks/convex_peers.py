"""Fast convex backends against the cvxpy (Clarabel) reference programs.

Data (LL's setting): D = 1000 features, Gaussian samples rescaled to
``||x||^2 = D``, a 40-sparse teacher with entries ``+-1/sqrt(40)``, noise-free
labels, init ``alpha = 1e-3``. Run ``python benchmarks/convex_peers.py``.
"""
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from solvers.convex import clear_cache, implicit_bias, min_l1, min_l12  # noqa: E402

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


def _time(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def _row(name, ours, peer):
    (a, ta), (b, tb) = ours, peer
    diff = float(np.linalg.norm(a.beta - b.beta) / np.linalg.norm(b.beta))
    return {"name": name, "ours_s": ta, "peer_s": tb, "ratio": tb / ta, "rel_diff_beta": diff,
            "ours_certificate": a.certificate, "peer_certificate": b.certificate}


def peer_rows(ns=(64, 512), n_aux=1024, n_main=64):
    """Time fast backends against cvxpy/Clarabel; one dict per comparison.

    Each row: ``name``, ``ours_s``, ``peer_s``, ``ratio`` (peer / ours),
    ``rel_diff_beta`` (relative distance of the two minimisers) and both
    certificates. cvxpy times include building the problem (a fresh cache).
    """
    rows = []
    for n in ns:
        X, y = sparse_teacher_data(n, seed=n)
        clear_cache()
        rows.append(_row(f"implicit_bias n={n}",
                         _time(lambda: implicit_bias(X, y, ALPHA, backend="fast")),
                         _time(lambda: implicit_bias(X, y, ALPHA, backend="cvxpy"))))
        clear_cache()
        rows.append(_row(f"min_l1 n={n}",
                         _time(lambda: min_l1(X, y, backend="fast")),
                         _time(lambda: min_l1(X, y, backend="cvxpy"))))
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
    clear_cache()
    rows.append(_row(f"min_l12 n_aux={n_aux} n_main={n_main}",
                     _time(lambda: min_l12(Xs, ys, backend="fast")),
                     _time(lambda: min_l12(Xs, ys, backend="cvxpy"))))
    clear_cache()
    return rows


def main():
    rows = peer_rows()
    print(f"{'program':34s} {'ours_s':>9s} {'cvxpy_s':>9s} {'ratio':>8s} {'rel_diff':>9s} "
          f"{'cert_ours':>10s} {'cert_cvxpy':>10s}")
    for r in rows:
        print(f"{r['name']:34s} {r['ours_s']:9.3f} {r['peer_s']:9.3f} {r['ratio']:8.1f} "
              f"{r['rel_diff_beta']:9.1e} {r['ours_certificate']:10.1e} "
              f"{r['peer_certificate']:10.1e}")


if __name__ == "__main__":
    main()
