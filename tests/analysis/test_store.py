"""HDF5 store: round trip, stable ids, repair after a kill, refusal of foreign files."""
import hashlib
import json

import h5py
import numpy as np
import pytest

import analysis
from analysis import store as st
from analysis.experiments import load_experiment
from solvers.errors import InputError

TOML = """
description = "store test"
methods = ["stl", "ptft"]
n = [16, 32]
seeds = 2
[teacher]
D = 20
k_aux = 4
n_aux = 16
n_test = 50
[grid]
overlap = [4, 0]
k = [4]
[variants.ptft]
rescale = [1.0, 0.1]
readout_init = [1e-3, 1e-4]
"""


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "exp.toml"
    path.write_text(TOML)
    return load_experiment(str(path))


def _record(test_mse, D=20, seed=0):
    rng = np.random.default_rng(seed)
    return {"status": "done", "error": "", "test_mse": test_mse, "train_loss": 1e-20,
            "wall_s": 0.5, "steps": 7, "converged": True, "certificate": float("nan"),
            "arrays": {"beta": rng.standard_normal(D), "params": rng.standard_normal((4, D))}}


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_run_id_is_stable_and_distinguishes_params():
    a = {"method": "stl", "n": 16, "seed": 0, "overlap": 4}
    b = {"overlap": 4, "seed": 0, "n": 16, "method": "stl"}
    assert st.run_id(a) == st.run_id(b)
    assert st.run_id(a) != st.run_id({**a, "n": 32})
    assert len(st.run_id(a)) == 16


def test_round_trip(config, tmp_path):
    path = tmp_path / "out.h5"
    s = st.Store.open(path, config)
    rows = []
    for i, (method, n, seed, overlap, mse) in enumerate(
            [("stl", 16, 0, 4, 0.8), ("stl", 32, 0, 4, 0.2), ("ptft", 32, 0, 4, 0.02),
             ("stl", 16, 1, 4, 0.5), ("stl", 32, 1, 4, 0.1)]):
        params = {"method": method, "n": n, "seed": seed, "overlap": overlap}
        if method == "ptft":
            params.update(rescale=0.1, readout_init=1e-4)
        rec = _record(mse, seed=i)
        s.commit("run", st.run_id(params), params, rec)
        rows.append((params, rec))
    failed = {"method": "stl", "n": 32, "seed": 0, "overlap": 0}
    s.commit("run", st.run_id(failed), failed,
             {"status": "failed", "error": "ValueError: boom", "wall_s": 0.1, "arrays": {}})
    s.finalize()

    with h5py.File(path, "r") as f:
        assert f.attrs["experiment"] == config["name"]
        assert json.loads(f.attrs["config"]) == json.loads(st.config_json(config))
        assert f.attrs["featreuse_version"] and f.attrs["created"]
        g = f["runs"][st.run_id(failed)]
        assert g.attrs["status"] == "failed" and g.attrs["error"] == "ValueError: boom"
        assert f["runs"][st.run_id(rows[0][0])]["beta"].compression == "lzf"

    df = analysis.load(path)
    assert len(df) == 5 and st.run_id(failed) not in set(df["run_id"])
    for params, rec in rows:
        row = df[df["run_id"] == st.run_id(params)].iloc[0]
        assert row["method"] == params["method"] and row["n"] == params["n"]
        assert row["seed"] == params["seed"] and row["overlap"] == params["overlap"]
        assert row["test_mse"] == rec["test_mse"] and row["steps"] == 7
        back_params, attrs, arrays = st.read_run(path, st.run_id(params))
        assert back_params == params and attrs["status"] == "done"
        np.testing.assert_array_equal(arrays["beta"], rec["arrays"]["beta"])
        np.testing.assert_array_equal(arrays["params"], rec["arrays"]["params"])  # stored as given
    ptft = df[df["method"] == "ptft"].iloc[0]
    assert ptft["rescale"] == 0.1 and ptft["readout_init"] == 1e-4
    assert np.isnan(df[df["method"] == "stl"]["rescale"]).all()
    # gen_loss: test MSE over STL n=16 of the same seed and overlap
    expect = {0.8: 1.0, 0.2: 0.25, 0.02: 0.025, 0.5: 1.0, 0.1: 0.2}
    for mse, gl in expect.items():
        assert np.isclose(df.loc[df["test_mse"] == mse, "gen_loss"].iloc[0], gl, rtol=1e-14)
    # finalize wrote the same column into the file
    with h5py.File(path, "r") as f:
        np.testing.assert_allclose(f["summary"]["gen_loss"][:], df["gen_loss"].to_numpy())
    assert s.statuses() == {**{st.run_id(p): "done" for p, _ in rows}, st.run_id(failed): "failed"}


def test_retry_replaces_failed_group(config, tmp_path):
    path = tmp_path / "out.h5"
    s = st.Store.open(path, config)
    p = {"method": "stl", "n": 16, "seed": 0, "overlap": 4}
    s.commit("run", st.run_id(p), p, {"status": "failed", "error": "x", "arrays": {}})
    s.commit("run", st.run_id(p), p, _record(0.3))
    assert s.statuses() == {st.run_id(p): "done"}
    assert list(analysis.load(path)["test_mse"]) == [0.3]


def test_reopen_repairs_a_kill_mid_commit(config, tmp_path):
    path = tmp_path / "out.h5"
    s = st.Store.open(path, config)
    p1 = {"method": "stl", "n": 16, "seed": 0, "overlap": 4}
    p2 = {"method": "stl", "n": 32, "seed": 0, "overlap": 4}
    s.commit("run", st.run_id(p1), p1, _record(0.4))
    s.commit("run", st.run_id(p2), p2, _record(0.1))
    with h5py.File(path, "a") as f:
        # a group cut before its status was written, and a lost summary row
        f["runs"].create_group("deadbeefdeadbeef").create_dataset("beta", data=np.zeros(3))
        for col in f["summary"]:
            f["summary"][col].resize((1,))
    s2 = st.Store.open(path, config)
    assert s2.statuses() == {st.run_id(p1): "done", st.run_id(p2): "done"}
    df = analysis.load(path)
    assert sorted(df["test_mse"]) == [0.1, 0.4]
    assert np.isclose(df.loc[df["n"] == 32, "gen_loss"].iloc[0], 0.25)


def test_foreign_files_are_refused_untouched(config, tmp_path):
    path = tmp_path / "out.h5"
    s = st.Store.open(path, config)
    p = {"method": "stl", "n": 16, "seed": 0, "overlap": 4}
    s.commit("run", st.run_id(p), p, _record(0.4))
    before = _digest(path)
    other = dict(config, name="another")
    with pytest.raises(InputError, match="holds experiment"):
        st.Store.open(path, other)
    changed = dict(config, n=[16, 64])
    with pytest.raises(InputError, match="another config.*n"):
        st.Store.open(path, changed)
    assert _digest(path) == before
    # only the description may differ
    st.Store.open(path, dict(config, description="edited"))

    text = tmp_path / "notes.h5"
    text.write_text("not hdf5")
    with pytest.raises(InputError, match="not an HDF5 file"):
        st.Store.open(text, config)
    assert text.read_text() == "not hdf5"
    with pytest.raises(InputError, match="does not exist"):
        st.Store.open(tmp_path / "missing" / "out.h5", config)
    with pytest.raises(InputError, match="directory"):
        st.Store.open(tmp_path, config)
    with pytest.raises(InputError, match="not an HDF5 file"):
        analysis.load(text)
