"""A small ReLU sweep through the real sweep and store: artefacts, stacks, summary, figures."""
import json
import os

import numpy as np
import pytest

from featreuse import analysis
from featreuse.analysis.families import get_family
from featreuse.analysis.families.relu import tasks
from featreuse.analysis.families.relu.certification import CLASS_NAMES
from featreuse.analysis.families.relu.config import FINETUNES
from featreuse.analysis.families.relu.weights import WEIGHTS, decode_weights
from featreuse.analysis.plots import plot_file
from featreuse.analysis.store import read_runs
from featreuse.analysis.store.artefacts import read_artefact, resolve
from featreuse.analysis.sweep import run_sweep

TINY = {
    "regimes": ["stl", "mtl", "ptft", "ptft_readout", "ptft_lp", "ntk"],
    "n": [16, 32],
    "network": {"K": 20},
    "grid": [{"rho": [0.9]},
             {"rho": [0.9, 1.0], "magnitude": [1.0, 0.5]},
             {"n_main_units": [1, 2]}],
    "train": {"max_epochs": 30, "ptft_readout": {"rescale": 0.5}},
    "variants": {"ptft": {"rescale": [0.5, 2.0]}},
    "pretrain": {"lr": 0.5, "max_steps": 200},
}


@pytest.fixture(scope="module")
def one_thread():
    """Torch and BLAS on one thread while the sweeps run in this process (as in a worker)."""
    torch = pytest.importorskip("torch")
    from threadpoolctl import threadpool_limits
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    with threadpool_limits(1):
        yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def sweep(tmp_path_factory, one_thread):
    family = get_family("relu")
    config = family.parse_config(TINY, name="relu-tiny", description="", quick=False,
                                 seeds=[0])
    out = tmp_path_factory.mktemp("relu_store") / "tiny.h5"
    counts = run_sweep(config, out, workers=0, progress=False)
    return config, out, counts


def _weights(out, attrs):
    path, sha = resolve(out, json.loads(attrs["artefacts"])[WEIGHTS])
    return decode_weights(read_artefact(path, sha))


def test_every_run_is_done_and_summarised(sweep):
    config, out, counts = sweep
    runs = get_family("relu").plan(config)
    assert counts == {**counts, "runs": len(runs), "done": len(runs), "failed": 0}
    df = analysis.load(out)
    assert sorted(df["run_id"]) == sorted(r.run_id for r in runs if r.summary)
    base = df[(df["regime"] == "stl") & (df["n"] == 16)]
    assert np.all(base["gen_loss"] == 1.0) and df["gen_loss"].notna().all()
    sgd = df[df["regime"].isin(["stl", "mtl", "ptft", "ptft_readout"])]
    # 30 epochs cannot reach the tolerance: every SGD run says so
    assert (sgd["epochs"] == 30).all() and not sgd["converged"].astype(bool).any()
    assert sgd["stopped_at_max"].astype(bool).all()
    ridge = df[df["regime"].isin(["ptft_lp", "ntk"])]
    assert ridge["alpha"].notna().all() and ridge["converged"].astype(bool).all()
    # the SGD runs of the seed were trained as stacks of several networks
    assert (sgd["stack_size"] > 1).all()


def test_finetuning_rows_show_their_pretraining(sweep):
    config, out, _ = sweep
    (pre,) = [attrs for params, attrs, _ in read_runs(out).values()
              if params["regime"] == "pretrain"]
    assert not pre["converged"] and pre["epochs"] == 200  # 200 GD steps cannot reach 1e-8
    df = analysis.load(out)
    ft = df[df["regime"].isin(FINETUNES)]
    assert len(ft) and (ft["pretrain_loss"] == pre["train_loss"]).all()
    assert (ft["pretrain_converged"] == 0.0).all()
    others = df[~df["regime"].isin(FINETUNES)]
    assert others["pretrain_loss"].isna().all() and others["pretrain_converged"].isna().all()


def test_artefacts_round_trip_and_reproduce_the_recorded_errors(sweep):
    config, out, _ = sweep
    runs = read_runs(out)
    pre = {p["sigma"]: (rid, attrs) for rid, (p, attrs, _) in runs.items()
           if p["regime"] == "pretrain"}
    (_, pre_attrs), = pre.values()
    W_pre, a_pre = _weights(out, pre_attrs)
    assert W_pre.shape == (20, 15) and a_pre.shape == (1, 20)
    X_test = tasks.held_out_inputs_for(config, 0)
    aux = tasks.aux_teacher_for(config, 0).aux(X_test)
    aux_mse = np.mean((np.maximum(X_test @ W_pre.T, 0) @ a_pre[0] - aux) ** 2)
    assert aux_mse == pytest.approx(pre_attrs["aux_test_mse"], rel=1e-12)
    checked = set()
    for params, attrs, _ in runs.values():
        regime = params["regime"]
        if regime in ("pretrain", "ptft_lp", "ntk"):
            continue
        W, a = _weights(out, attrs)
        assert a.shape == (2 if regime == "mtl" else 1, 20)
        teacher = tasks.teacher_for(config, params)
        mse = np.mean((np.maximum(X_test @ W.T, 0) @ a[-1] - teacher.main(X_test)) ** 2)
        assert mse == pytest.approx(attrs["test_mse"], rel=1e-12)
        if regime == "ptft_readout":  # the frozen hidden layer is the rescaled pretrained one
            np.testing.assert_array_equal(W, (0.5 * W_pre).astype(np.float32))
        checked.add(regime)
    assert checked == {"stl", "mtl", "ptft", "ptft_readout"}


def test_ptft_runs_carry_their_certification(sweep):
    config, out, _ = sweep
    for params, attrs, arrays in read_runs(out).values():
        if params["regime"] != "ptft":
            assert "cert_predicted" not in arrays
            continue
        units = tasks.teacher_for(config, params).main_units.shape[0]
        assert arrays["cert_predicted"].shape == (units,)
        assert set(arrays["cert_measured"]) <= set(CLASS_NAMES)
        agree = np.mean(arrays["cert_predicted"] == arrays["cert_measured"])
        assert attrs["penalty_accuracy"] == agree
        shares = [attrs[k] for k in ("share_reused", "share_changed", "share_recruited")]
        assert sum(shares) == pytest.approx(1.0, rel=1e-12)


def test_rerun_skips_every_done_run(sweep, one_thread):
    config, out, counts = sweep
    again = run_sweep(config, out, workers=0, progress=False)
    assert again["skipped"] == counts["runs"] and again["done"] == 0


def test_figures_of_every_kind(sweep, tmp_path):
    _, out, _ = sweep
    paths = plot_file(out, tmp_path)
    names = {os.path.basename(p) for p in paths}
    suffixes = ("", "-grid2", "-grid2-rho-magnitude", "-grid3", "-grid3-units")
    assert names == {f"tiny{s}.{e}" for s in suffixes for e in ("png", "pdf")}
    assert all(os.path.getsize(p) > 0 for p in paths)


def test_cuda_without_a_gpu_fails_before_any_work(sweep, tmp_path):
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    config, _, _ = sweep
    out = tmp_path / "cuda.h5"
    with pytest.raises(ValueError, match="cuda"):  # nets' InputError
        run_sweep(config, out, workers=0, device="cuda", progress=False)
    assert not out.exists()


def test_the_sweep_records_what_it_cost(sweep, capsys):
    from featreuse.analysis.cli import main
    config, out, counts = sweep
    df = analysis.load(out)
    trained = df[df["regime"].isin(["stl", "mtl", "ptft", "ptft_readout"])]
    pre = [attrs for params, attrs, _ in read_runs(out).values()
           if params["regime"] == "pretrain"]
    # every trained network's epochs (pretraining: its GD steps), as the records say
    assert counts["network_epochs"] == trained["epochs"].sum() + sum(a["epochs"] for a in pre)
    assert 0 < counts["busy_s"] <= counts["wall_s"]       # one slot, in this process
    assert 0 < counts["utilisation"] <= 1
    (session,) = df.attrs["provenance"]
    assert session["cost"]["network_epochs"] == counts["network_epochs"]
    assert session["cost"]["utilisation"] == counts["utilisation"]
    assert main(["info", str(out)]) == 0
    assert "utilisation" in capsys.readouterr().out
