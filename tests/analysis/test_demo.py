"""``featreuse demo`` at a small size: every method runs, GD and flow agree, reuse helps."""
import warnings

import numpy as np

import solvers
from analysis.demo import run_demo


def test_demo_rows_agree_between_gd_and_flow():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", solvers.ConvergenceWarning)
        rows = run_demo(seed=1, n=64, overlap=40, D=200, max_steps=20_000, progress=lambda s: None)
    table = {(r["method"], r["trainer"]): r for r in rows}
    names = ["pretrain (aux)", "stl", "mtl", "ptft", "ptft_lp"]
    assert set(table) == {(m, t) for m in names for t in ("gd", "flow")}
    for name in names:
        assert table[name, "flow"]["converged"]
        assert np.isfinite(table[name, "gd"]["test_mse"])
    # all 40 main features are pretrained: reuse beats learning from 64 samples alone
    assert table["ptft", "flow"]["test_mse"] < 0.1 * table["stl", "flow"]["test_mse"]
    assert table["mtl", "flow"]["test_mse"] < 0.1 * table["stl", "flow"]["test_mse"]
    # GD at lr 0.1 is close to the flow where both converged
    for name in ["stl", "ptft"]:
        gd, flow = table[name, "gd"], table[name, "flow"]
        if gd["converged"]:
            assert abs(gd["test_mse"] - flow["test_mse"]) <= 0.05 * flow["test_mse"]
