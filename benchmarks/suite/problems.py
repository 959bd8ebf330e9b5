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
