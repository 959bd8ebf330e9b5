"""``train.method = "flow"`` through the command line: the flow's records against SGD's."""
import numpy as np
import pytest

from featreuse import analysis
from featreuse.analysis.cli import main

TINY = """
family = "relu"
description = "tiny sweep, {method}"
regimes = ["stl", "ptft"]
n = [12, 24]
seeds = 2
[network]
K = 30
[teacher]
n_aux = 48
n_test = 300
[train]
max_epochs = 3000
tol = 1e-6
method = "{method}"
[pretrain]
lr = 0.5
max_steps = 500
"""


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory):
    folder = tmp_path_factory.mktemp("relu_flow")
    out = {}
    for method in ("sgd", "flow"):
        toml = folder / f"{method}.toml"
        toml.write_text(TINY.format(method=method))
        out[method] = folder / f"{method}.h5"
        assert main(["run", str(toml), "--out", str(out[method]), "--workers", "0",
                     "--no-progress"]) == 0
    return {m: analysis.load(p) for m, p in out.items()}


def test_flow_rows_record_their_time_and_cost(sweeps):
    flow = sweeps["flow"]
    assert "flow_time" in flow and "flow_time" not in sweeps["sgd"]
    trained = flow[flow["regime"].isin(["stl", "ptft"])]
    assert (trained["epoch_equivalents"] > 0).all()
    # epochs: the flow time in epochs of the SGD it stands for (n <= 128: lr per epoch)
    np.testing.assert_allclose(trained["epochs"], np.ceil(trained["flow_time"] / 0.1 - 1e-9))
    (session,) = flow.attrs["provenance"]
    assert session["cost"]["network_epochs"] == pytest.approx(
        flow["epoch_equivalents"].sum() + 500 * 2, rel=0.01)   # + the two SGD pretrainings


def test_converged_flow_runs_end_where_sgd_ends(sweeps):
    """Full batch here (n <= 128): SGD is GD at lr 0.1, a close discretisation of the flow
    for STL from a small initialisation."""
    keys = ["regime", "n", "seed"]
    both = sweeps["sgd"].merge(sweeps["flow"], on=keys, suffixes=("_sgd", "_flow"))
    stl = both[(both["regime"] == "stl") & both["converged_sgd"] & both["converged_flow"]]
    assert len(stl) >= 2
    np.testing.assert_allclose(stl["test_mse_flow"], stl["test_mse_sgd"], rtol=5e-3)
    assert (stl["train_loss_flow"] < 1e-6).all()
