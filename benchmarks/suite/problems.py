"""Problems at benchmark sizes (shared by the asv suite, peers.py and store_commit.py)."""
import os

import numpy as np


def paper_problem(seed=0, D=1000, n_aux=1024, n_main=64, overlap=30):
    """LL's teacher: returns (Xa, ya, Xm, ym) with rows rescaled to ||x||^2 = D."""
    from featreuse.analysis.families.diagonal import tasks
    teacher = tasks.make_teacher(seed, D=D, k=40, overlap=overlap)
    Xa, ya = tasks.aux_data(seed, teacher, n_aux)
    Xm, ym = tasks.main_data(seed, teacher, n_main)
    return Xa, ya, Xm, ym


COMMIT_TOML = """
family = "diagonal"
description = "commit benchmark"
regimes = ["stl"]
n = [16]
seeds = 1
[teacher]
D = 20
k_aux = 4
k = 4
"""


def commit_config(folder):
    """A one-run diagonal experiment config (D = 20) written into ``folder``."""
    from featreuse.analysis.experiments import load_experiment
    path = os.path.join(folder, "bench.toml")
    with open(path, "w") as f:
        f.write(COMMIT_TOML)
    return load_experiment(path)


def commit_record(i):
    """The record of a tiny diagonal run (beta (20,), six scalars), seeded by ``i``."""
    rng = np.random.default_rng(i)
    return {"status": "done", "error": "", "wall_s": 0.01, "warnings": "", "pid": 1,
            "scalars": {"test_mse": float(rng.random()), "train_loss": 1e-20, "steps": 9,
                        "converged": True, "trainer_loss": 1e-20, "certificate": float("nan")},
            "arrays": {"beta": rng.standard_normal(20)}}


def commit_run(i):
    """A planned single-task run whose id depends on ``i``."""
    from featreuse.analysis.families import PlannedRun
    return PlannedRun.of({"regime": "stl", "n": 16 + i, "seed": 0})


def implicit_bias_problem(n, D=1000, seed=0):
    """A random sparse-regression problem (X (n, D) Gaussian, y from 10 features) and a
    (4, D) initialisation with entries in [1e-4, 1e-2]."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, D))
    beta = np.zeros(D)
    beta[:10] = rng.standard_normal(10)
    init = 10.0 ** rng.uniform(-4, -2, size=(4, D))
    return X, X @ beta, init


def relu_stack(n, M=8, epochs=5, seed=0, config=None):
    """``(runs, config)``: M single-task ReLU runs (default: LL's sizes, D = 15, K = 1000, batch
    128) on one teacher, each stopping after ``epochs`` epochs (tol 1e-30: no early stop)."""
    from featreuse import nets
    config = nets.ReluConfig(tol=1e-30) if config is None else config
    teacher = nets.make_teacher(seed, D=config.D, n_main_units=6, rho=0.9)
    W0, a0 = nets.init_params(range(M), config)
    runs = []
    for m in range(M):
        X, y = nets.main_data(m, teacher=teacher, n=n)
        runs.append(nets.RunSpec((X,), (y,), W0[m], a0[m], lr=config.lr, shuffle_seed=m,
                                 max_epochs=epochs))
    return runs, config


def wzr_tasks(k=4, n=50, D=30, seed=0):
    """k linear tasks of n samples sharing a 2-dimensional module (lists of X (n, D), y (n,))."""
    rng = np.random.default_rng(seed)
    B = np.linalg.qr(rng.standard_normal((D, 2)))[0]
    Xs = [rng.standard_normal((n, D)) for _ in range(k)]
    ys = [X @ B @ rng.standard_normal(2) + 0.1 * rng.standard_normal(n) for X in Xs]
    return Xs, ys
