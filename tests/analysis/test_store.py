"""HDF5 store: round trip (dtypes kept), artefacts, journal and folds, kills, refusals."""
import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap

import h5py
import numpy as np
import pytest

from featreuse import analysis
from featreuse.analysis import store as st
from featreuse.analysis.experiments import load_experiment
from featreuse.analysis.families import PlannedRun
from featreuse.analysis.store import writer
from featreuse.analysis.store.journal import journal_path
from featreuse.errors import InputError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

TOML = """
family = "diagonal"
description = "store test"
regimes = ["stl", "ptft"]
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
def toml(tmp_path):
    path = tmp_path / "exp.toml"
    path.write_text(TOML)
    return str(path)


@pytest.fixture
def config(toml):
    return load_experiment(toml)


def _record(test_mse, D=20, seed=0, artefacts=None):
    rng = np.random.default_rng(seed)
    return {"status": "done", "error": "", "wall_s": 0.5,
            "scalars": {"test_mse": test_mse, "train_loss": 1e-20, "steps": 7, "converged": True,
                        "certificate": float("nan")},
            "arrays": {"beta": rng.standard_normal(D),
                       "weights": rng.standard_normal((4, D)).astype(np.float32),
                       "counts": np.arange(5, dtype=np.int16)},
            "artefacts": artefacts or {}}


def _run(params, summary=True):
    return PlannedRun.of(params, summary=summary)


def _digest(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


RUNS = [("stl", 16, 0, 4, 0.8), ("stl", 32, 0, 4, 0.2), ("ptft", 32, 0, 4, 0.02),
        ("stl", 16, 1, 4, 0.5), ("stl", 32, 1, 4, 0.1)]


def _commit_runs(s):
    out = []
    for i, (regime, n, seed, overlap, mse) in enumerate(RUNS):
        params = {"regime": regime, "n": n, "seed": seed, "overlap": overlap, "k": 4}
        if regime == "ptft":
            params.update(rescale=0.1, readout_init=1e-4)
        rec = _record(mse, seed=i)
        s.commit(_run(params), rec)
        out.append((params, rec))
    return out


def _check_round_trip(path, rows, failed):
    df = analysis.load(path)
    assert len(df) == 5 and failed.run_id not in set(df["run_id"])
    for params, rec in rows:
        row = df[df["run_id"] == PlannedRun.of(params).run_id].iloc[0]
        assert row["regime"] == params["regime"] and row["n"] == params["n"]
        assert row["seed"] == params["seed"] and row["overlap"] == params["overlap"]
        assert row["test_mse"] == rec["scalars"]["test_mse"] and row["steps"] == 7
        back_params, attrs, arrays = st.read_run(path, PlannedRun.of(params).run_id)
        assert back_params == params and attrs["status"] == "done"
        for name, arr in rec["arrays"].items():  # dtype and values kept
            assert arrays[name].dtype == arr.dtype
            np.testing.assert_array_equal(arrays[name], arr)
    ptft = df[df["regime"] == "ptft"].iloc[0]
    assert ptft["rescale"] == 0.1 and ptft["readout_init"] == 1e-4
    assert np.isnan(df[df["regime"] == "stl"]["rescale"]).all()
    # gen_loss: test MSE over STL n=16 of the same seed and overlap
    for mse, gl in {0.8: 1.0, 0.2: 0.25, 0.02: 0.025, 0.5: 1.0, 0.1: 0.2}.items():
        assert np.isclose(df.loc[df["test_mse"] == mse, "gen_loss"].iloc[0], gl, rtol=1e-14)
    return df


def test_round_trip_before_and_after_the_fold(config, tmp_path):
    path = tmp_path / "out.h5"
    s = st.Store.open(path, config)
    rows = _commit_runs(s)
    failed = _run({"regime": "stl", "n": 32, "seed": 0, "overlap": 0, "k": 4})
    s.commit(failed, {"status": "failed", "error": "ValueError: boom", "wall_s": 0.1})
    # not folded yet: the runs are in the journal, and readers see them
    assert os.path.exists(journal_path(path))
    with h5py.File(path, "r") as f:
        assert len(f["runs"]) == 0
    before = _check_round_trip(path, rows, failed)
    s.close()
    assert not os.path.exists(journal_path(path))
    after = _check_round_trip(path, rows, failed)
    cols = ["run_id", "regime", "n", "seed", "test_mse", "gen_loss", "overlap"]
    assert before.sort_values("run_id")[cols].reset_index(drop=True).equals(
        after.sort_values("run_id")[cols].reset_index(drop=True))
    with h5py.File(path, "r") as f:
        assert f.attrs["experiment"] == config.name and f.attrs["family"] == "diagonal"
        assert json.loads(f.attrs["config"]) == json.loads(st.config_json(config))
        assert f.attrs["featreuse_version"] and f.attrs["created"]
        g = f["runs"][failed.run_id]
        assert g.attrs["status"] == "failed" and g.attrs["error"] == "ValueError: boom"
        done = f["runs"][PlannedRun.of(rows[0][0]).run_id]
        assert done["beta"].compression == "lzf" and done["weights"].dtype == np.float32
    assert st.statuses(path) == {**{PlannedRun.of(p).run_id: "done" for p, _ in rows},
                                 failed.run_id: "failed"}


def test_summary_columns_keep_their_meaning(tmp_path):
    import pandas as pd
    from featreuse.analysis.store import layout
    df = pd.DataFrame({"flag": [True, False, None], "count": [3, None, 5],
                       "label": ["a", None, "c"], "ok": [True, False, True]})
    with h5py.File(tmp_path / "s.h5", "w") as f:
        layout.write_summary(f, df)
        back = layout.read_summary(f)
    # a bool column with a missing value reads back as 1.0 / 0.0 / NaN, not as text
    np.testing.assert_array_equal(back["flag"].to_numpy(), [1.0, 0.0, np.nan])
    np.testing.assert_array_equal(back["count"].to_numpy(), [3.0, np.nan, 5.0])
    assert list(back["label"]) == ["a", "", "c"] and list(back["ok"]) == [1, 0, 1]
    assert list(back.columns) == ["flag", "count", "label", "ok"]


def test_a_file_written_before_keeps_its_summary_columns(config, tmp_path):
    from featreuse.analysis.store import layout
    path = tmp_path / "old.h5"
    s = st.Store.open(path, config)
    _commit_runs(s)
    s.close()
    assert "certificate" not in analysis.load(path).columns  # certify = false: no column
    with h5py.File(path, "a") as f:  # as written before: a column for every run, NaN here
        old = layout.read_summary(f).assign(certificate=np.nan)
        layout.write_summary(f, old)
    assert list(analysis.load(path).columns) == list(old.columns)
    s = st.Store.open(path, config)  # resumed: the file keeps it
    s.commit(_run({"regime": "stl", "n": 64, "seed": 0, "overlap": 4, "k": 4}), _record(0.1))
    s.close()
    df = analysis.load(path)
    assert list(df.columns) == list(old.columns) and len(df) == len(old) + 1


def test_a_wzr_file_written_before_data_was_called_data_reads_and_resumes(tmp_path):
    config = load_experiment("wzr-capacity", quick=True)
    path = tmp_path / "wzr.h5"
    st.Store.open(path, config).close()
    with h5py.File(path, "a") as f:  # as written before [tasks] was renamed [data]
        stored = json.loads(f.attrs["config"])
        f.attrs["config"] = json.dumps({("tasks" if k == "data" else k): v
                                        for k, v in stored.items()})
    assert st.read_config(path) == config
    assert st.check_target(path, config) is True


def test_the_stored_config_keeps_its_key_order(tmp_path):
    path = tmp_path / "grid.toml"
    path.write_text(TOML.replace("[grid]\noverlap = [4, 0]\nk = [4]", "[grid]\nk = [4]\noverlap = [4, 0]"))
    config = load_experiment(str(path))
    assert list(config.grid) == ["k", "overlap"]
    st.Store.open(tmp_path / "g.h5", config).close()
    assert list(st.read_config(tmp_path / "g.h5").grid) == ["k", "overlap"]


def test_runs_without_a_summary_row_are_stored_but_not_summarised(config, tmp_path):
    path = tmp_path / "out.h5"
    s = st.Store.open(path, config)
    pre = _run({"regime": "pretrain", "seed": 0}, summary=False)
    s.commit(pre, _record(0.3))
    s.close()
    assert st.statuses(path) == {pre.run_id: "done"}
    assert len(analysis.load(path)) == 0


def test_artefacts_are_files_with_hash_and_outputs_read_them(config, tmp_path):
    path = tmp_path / "out.h5"
    s = st.Store.open(path, config)
    blob = os.urandom(100_000)
    run = _run({"regime": "pretrain", "seed": 0}, summary=False)
    s.commit(run, _record(0.3, artefacts={"weights.pt": blob}))
    for folded in (False, True):
        out = s.outputs(run.run_id)
        assert out.read_artefact("weights.pt") == blob
        file_path, sha = out.artefacts["weights.pt"]
        assert file_path == os.path.join(str(tmp_path), "out.artefacts", run.run_id, "weights.pt")
        assert sha == hashlib.sha256(blob).hexdigest()
        np.testing.assert_array_equal(out.arrays["counts"], np.arange(5, dtype=np.int16))
        s.fold()
    s.close()
    _, attrs, _ = st.read_run(path, run.run_id)
    record = json.loads(attrs["artefacts"])["weights.pt"]
    assert record == {"path": os.path.join("out.artefacts", run.run_id, "weights.pt"),
                      "sha256": sha, "bytes": len(blob)}
    with open(file_path, "r+b") as f:  # damage the file: its first byte changes
        f.write(bytes([blob[0] ^ 0xFF]))
    with pytest.raises(InputError, match="does not match its recorded sha256"):
        out.read_artefact("weights.pt")
    with pytest.raises(InputError, match="not recorded"):
        out.read_artefact("other")


def test_retry_replaces_failed_run(config, tmp_path):
    path = tmp_path / "out.h5"
    s = st.Store.open(path, config)
    run = _run({"regime": "stl", "n": 16, "seed": 0, "overlap": 4, "k": 4})
    s.commit(run, {"status": "failed", "error": "x", "wall_s": 0.0})
    s.fold()
    s.commit(run, _record(0.3))
    assert st.statuses(path) == {run.run_id: "done"}
    assert list(analysis.load(path)["test_mse"]) == [0.3]
    s.close()
    assert st.statuses(path) == {run.run_id: "done"}
    assert list(analysis.load(path)["test_mse"]) == [0.3]


def test_folds_keep_every_run_and_empty_the_journal(config, tmp_path, monkeypatch):
    monkeypatch.setattr(writer, "FOLD_MIN_BYTES", 2_000)  # fold every few commits
    monkeypatch.setattr(writer, "FOLD_RATIO", 0.0)
    path = tmp_path / "out.h5"
    s = st.Store.open(path, config)
    folds = []
    real = s.fold
    monkeypatch.setattr(s, "fold", lambda: (folds.append(s.folded_seq), real())[1])
    ids = []
    for i in range(40):
        run = _run({"regime": "stl", "n": 16 + i, "seed": 0, "overlap": 4, "k": 4})
        s.commit(run, _record(0.1 + i, seed=i))
        ids.append(run.run_id)
    assert len(folds) >= 10  # folded on the way, not only at the end
    df = analysis.load(path)
    assert sorted(df["run_id"]) == sorted(ids)
    s.close()
    with h5py.File(path, "r") as f:
        assert sorted(f["runs"]) == sorted(ids) and f.attrs["journal_seq"] == 40
        assert f["summary"]["run_id"].shape == (40,)
    assert sorted(analysis.load(path)["run_id"]) == sorted(ids)


KILL_IN_FOLD = textwrap.dedent("""
    import os, signal, sys
    import numpy as np
    from featreuse.analysis.experiments import load_experiment
    from featreuse.analysis.families import PlannedRun
    from featreuse.analysis.store import Store
    config = load_experiment(sys.argv[1])
    s = Store.open(sys.argv[2], config)
    for i in range(int(sys.argv[3])):
        s.commit(PlannedRun.of({"regime": "stl", "n": 16 + i, "seed": 0, "overlap": 4, "k": 4}),
                 {"status": "done", "error": "", "wall_s": 0.0,
                  "scalars": {"test_mse": 1.0 + i}, "arrays": {"beta": np.full(20, i, np.float32)}})
    os.replace = lambda *a: os.kill(os.getpid(), signal.SIGKILL)  # die just before the swap
    s.fold()
""")


def test_kill_inside_a_fold_leaves_the_file_intact_and_the_journal_complete(toml, tmp_path):
    path = str(tmp_path / "out.h5")
    script = tmp_path / "kill.py"
    script.write_text(KILL_IN_FOLD)
    env = dict(os.environ, PYTHONPATH=ROOT)
    proc = subprocess.run([sys.executable, str(script), toml, path, "25"], env=env,
                          capture_output=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]
    assert os.path.exists(path + writer.PARTIAL)  # the copy the fold was writing
    with h5py.File(path, "r") as f:  # the file itself is the state before the fold
        assert len(f["runs"]) == 0
    df = analysis.load(path)  # readers merge the journal: all 25 runs
    assert sorted(df["test_mse"]) == [1.0 + i for i in range(25)]
    s = st.Store.open(path, load_experiment(toml))  # reopening removes the copy and folds
    assert not os.path.exists(path + writer.PARTIAL)
    with h5py.File(path, "r") as f:
        assert len(f["runs"]) == 25
    s.close()
    params, _, arrays = st.read_run(path, PlannedRun.of(
        {"regime": "stl", "n": 20, "seed": 0, "overlap": 4, "k": 4}).run_id)
    assert arrays["beta"].dtype == np.float32 and (arrays["beta"] == 4).all()


def test_foreign_and_damaged_files_are_refused_untouched(config, tmp_path):
    path = tmp_path / "out.h5"
    s = st.Store.open(path, config)
    s.commit(_run({"regime": "stl", "n": 16, "seed": 0, "overlap": 4, "k": 4}), _record(0.4))
    s.close()
    before = _digest(path)
    with pytest.raises(InputError, match="holds experiment"):
        st.Store.open(path, type(config)(**{**config.as_dict(), "name": "another"}))
    with pytest.raises(InputError, match="another config.*n"):
        st.Store.open(path, type(config)(**{**config.as_dict(), "n": [16, 64]}))
    assert _digest(path) == before
    # only the description may differ
    st.Store.open(path, type(config)(**{**config.as_dict(), "description": "edited"})).close()

    text = tmp_path / "notes.h5"
    text.write_text("not hdf5")
    with pytest.raises(InputError, match="not an HDF5 file"):
        st.Store.open(text, config)
    assert text.read_text() == "not hdf5"
    foreign = tmp_path / "foreign.h5"
    with h5py.File(foreign, "w") as f:
        f["x"] = np.arange(3)
    with pytest.raises(InputError, match="not a featreuse sweep file"):
        st.Store.open(foreign, config)
    truncated = tmp_path / "cut.h5"
    truncated.write_bytes(open(path, "rb").read()[:3000])
    for call in (lambda: analysis.load(truncated), lambda: st.Store.open(truncated, config)):
        with pytest.raises(InputError, match="cannot be read"):
            call()
    with pytest.raises(InputError, match="does not exist"):
        st.Store.open(tmp_path / "missing" / "out.h5", config)
    with pytest.raises(InputError, match="directory"):
        st.Store.open(tmp_path, config)
    with pytest.raises(InputError, match="does not exist"):
        analysis.load(tmp_path / "missing.h5")


def test_a_journal_without_its_file_is_refused(config, tmp_path):
    path = tmp_path / "out.h5"
    s = st.Store.open(path, config)
    s.commit(_run({"regime": "stl", "n": 16, "seed": 0, "overlap": 4, "k": 4}), _record(0.4))
    s.journal.close()  # as if killed: the journal stays
    os.remove(path)
    with pytest.raises(InputError, match="exists without its HDF5 file"):
        st.Store.open(path, config)
