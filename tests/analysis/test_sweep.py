"""Sweeps: failures recorded, SIGKILL + resume, dask equals local, refusal before work."""
import hashlib
import os
import signal
import subprocess
import sys
import time

import h5py
import numpy as np
import pytest

import analysis
from analysis import runs, store
from analysis.experiments import load_experiment
from analysis.sweep import plan, run_sweep
from solvers.errors import InputError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

TINY = """
description = "tiny sweep"
methods = ["stl", "ptft", "ptft_lp", "stl_lp"]
n = [16, 24]
seeds = {seeds}
[teacher]
D = {D}
k_aux = 4
n_aux = 32
n_test = 200
[grid]
overlap = [4, 0]
k = [4]
[train]
method = "flow"
init = 1e-3
"""


def _config(tmp_path, seeds=2, D=40, name="tiny"):
    path = tmp_path / f"{name}.toml"
    path.write_text(TINY.format(seeds=seeds, D=D))
    return load_experiment(str(path)), str(path)


def _done_attrs(path):
    with h5py.File(path, "r", locking=False) as f:
        return {k: (g.attrs["finished"], g["beta"][:]) for k, g in f["runs"].items()
                if g.attrs.get("status") == "done"}


def test_failed_run_is_recorded_and_the_sweep_goes_on(tmp_path, monkeypatch):
    config, _ = _config(tmp_path)
    real = runs.METHODS["stl"]

    def flaky(data, settings):
        if data["X"].shape[0] == 24:
            raise FloatingPointError("injected failure at n = 24")
        return real(data, settings)

    monkeypatch.setitem(runs.METHODS, "stl", flaky)
    out = tmp_path / "s.h5"
    counts = run_sweep(config, out, workers=0, progress=False)
    total = len(plan(config))
    bad = {rid for rid, p in plan(config) if p["method"] == "stl" and p["n"] == 24}
    assert counts["failed"] == len(bad) == 4 and counts["done"] == total - 4
    s = store.Store.open(out, config)
    statuses = s.statuses()
    assert {k for k, v in statuses.items() if v == "failed"} == bad
    with h5py.File(out, "r") as f:
        for rid in bad:
            assert f["runs"][rid].attrs["error"] == "FloatingPointError: injected failure at n = 24"
    df = analysis.load(out)
    assert len(df) == total - 4 and not set(df["run_id"]) & bad

    # resume without the fault: failed runs are retried, done ones untouched
    before = _done_attrs(out)
    monkeypatch.setitem(runs.METHODS, "stl", real)
    counts = run_sweep(config, out, workers=0, progress=False)
    assert counts == {**counts, "done": 4, "failed": 0, "skipped": total - 4}
    after = _done_attrs(out)
    assert set(after) == set(before) | bad
    for rid, (finished, beta) in before.items():
        assert after[rid][0] == finished
        np.testing.assert_array_equal(after[rid][1], beta)


def test_failed_pretraining_fails_its_ptft_runs_only(tmp_path, monkeypatch):
    config, _ = _config(tmp_path, seeds=1)

    def broken(config, seed):
        raise RuntimeError("no pretraining today")

    monkeypatch.setattr(runs, "pretrain", broken)
    out = tmp_path / "p.h5"
    counts = run_sweep(config, out, workers=0, progress=False)
    ptft = {rid for rid, p in plan(config) if p["method"] in ("ptft", "ptft_lp")}
    assert counts["failed"] == len(ptft) and counts["done"] == len(plan(config)) - len(ptft)
    with h5py.File(out, "r") as f:
        assert f["pretrain/seed_0"].attrs["status"] == "failed"
        for rid in ptft:
            assert "no pretraining today" in f["runs"][rid].attrs["error"]


def test_dask_cluster_equals_local_run(tmp_path):
    from dask.distributed import LocalCluster
    config, _ = _config(tmp_path)
    local, remote = tmp_path / "local.h5", tmp_path / "dask.h5"
    run_sweep(config, local, workers=0, progress=False)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster:
        counts = run_sweep(config, remote, scheduler=cluster.scheduler_address, progress=False)
    assert counts["done"] == len(plan(config)) and counts["failed"] == 0
    a = analysis.load(local).set_index("run_id").sort_index()
    b = analysis.load(remote).set_index("run_id").sort_index()
    assert list(a.index) == list(b.index)
    # same task function, same single-threaded arithmetic: identical numbers
    for col in ("test_mse", "gen_loss", "train_loss", "steps"):
        np.testing.assert_array_equal(a[col].to_numpy(), b[col].to_numpy())


def _cli(args, **kw):
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.Popen([sys.executable, "-m", "analysis.cli", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def test_sigkill_mid_sweep_then_resume_matches_uninterrupted(tmp_path):
    config, toml = _config(tmp_path, seeds=10, D=150, name="killme")
    total = len(plan(config))
    killed, clean = tmp_path / "killed.h5", tmp_path / "clean.h5"
    proc = _cli(["run", toml, "--out", str(killed), "--workers", "2", "--no-progress"],
                start_new_session=True)
    done_at_kill = {}
    deadline = time.time() + 120
    try:
        while time.time() < deadline and proc.poll() is None:
            try:
                done_at_kill = _done_attrs(killed)
            except (OSError, KeyError):
                done_at_kill = {}  # not created yet, or caught mid-commit
            if len(done_at_kill) >= 3:
                break
            time.sleep(0.01)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # the driver and its workers
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read().decode()[-2000:]
    done_at_kill = _done_attrs(killed)  # the file as the kill left it
    print(f"killed after {len(done_at_kill)} of {total} runs")
    assert 3 <= len(done_at_kill) < total

    resumed = _cli(["run", toml, "--out", str(killed), "--workers", "2", "--no-progress"])
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err.decode()[-2000:]
    assert f"{len(done_at_kill)} already done" in out.decode()
    after = _done_attrs(killed)
    assert len(after) == total
    for rid, (finished, beta) in done_at_kill.items():  # not recomputed
        assert after[rid][0] == finished
        np.testing.assert_array_equal(after[rid][1], beta)

    uninterrupted = _cli(["run", toml, "--out", str(clean), "--workers", "2", "--no-progress"])
    _, err = uninterrupted.communicate(timeout=300)
    assert uninterrupted.returncode == 0, err.decode()[-2000:]
    a = analysis.load(killed).set_index("run_id").sort_index()
    b = analysis.load(clean).set_index("run_id").sort_index()
    assert list(a.index) == list(b.index) and len(a) == total
    for col in ("method", "n", "seed", "overlap", "test_mse", "gen_loss", "train_loss", "steps"):
        np.testing.assert_array_equal(a[col].to_numpy(), b[col].to_numpy())


def _digest(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def test_bad_targets_fail_before_any_work(tmp_path, monkeypatch):
    config, _ = _config(tmp_path, seeds=1)
    calls = []
    monkeypatch.setattr(runs, "execute", lambda task: calls.append(task))
    with pytest.raises(InputError, match="does not exist"):
        run_sweep(config, tmp_path / "nowhere" / "x.h5", workers=0, progress=False)
    other, _ = _config(tmp_path, seeds=2)  # same experiment name, other config
    theirs = tmp_path / "theirs.h5"
    store.Store.open(theirs, other)
    before = _digest(theirs)
    with pytest.raises(InputError, match="another config.*seeds"):
        run_sweep(config, theirs, workers=0, progress=False)
    assert _digest(theirs) == before and calls == []


def test_certificate_hook_records_the_distance_to_the_convex_program(tmp_path):
    # readout-only flows are exactly the weighted min-ell2 interpolant (an exact
    # row of analysis.certify), so their recorded distance must be tiny
    pytest.importorskip("analysis.certify")
    path = tmp_path / "cert.toml"
    path.write_text(TINY.format(seeds=1, D=30).replace(
        'methods = ["stl", "ptft", "ptft_lp", "stl_lp"]',
        'methods = ["stl", "ptft_lp", "stl_lp"]\ncertify = true'))
    config = load_experiment(str(path))
    out = tmp_path / "cert.h5"
    assert run_sweep(config, out, workers=0, progress=False)["failed"] == 0
    df = analysis.load(out)
    lp = df[df["method"].isin(["stl_lp", "ptft_lp"])]
    assert len(lp) == 8 and (lp["certificate"] < 1e-6).all()
    with h5py.File(out, "r") as f:
        for rid in df.loc[df["method"] == "stl", "run_id"]:
            a = f["runs"][rid].attrs
            # the entropy program (cvxpy) either certifies or says why not
            assert a["certificate"] < 1e-6 or a["certificate_error"], (a["certificate"],)


def test_fast_certificates_are_recorded_for_every_method(tmp_path):
    # certify = "fast": Newton / closed form / fast l1,2 programs, cheap enough for every run
    path = tmp_path / "fast.toml"
    path.write_text(TINY.format(seeds=1, D=30).replace(
        'methods = ["stl", "ptft", "ptft_lp", "stl_lp"]',
        'methods = ["stl", "mtl", "ptft", "ptft_lp", "stl_lp"]\ncertify = "fast"'))
    config = load_experiment(str(path))
    out = tmp_path / "fast.h5"
    assert run_sweep(config, out, workers=0, progress=False)["failed"] == 0
    df = analysis.load(out)
    assert np.isfinite(df["certificate"]).all()
    exact = df[df["method"] != "mtl"]  # the single-task flows are their programs' minimisers
    assert (exact["certificate"] < 1e-6).all(), exact[["method", "certificate"]]
    # MTL from small init is *not* the l1,2 minimiser: a measured, positive gap
    assert (df.loc[df["method"] == "mtl", "certificate"] > 1e-6).all()


def test_certify_setting_is_validated(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(TINY.format(seeds=1, D=30).replace(
        'methods = ["stl", "ptft", "ptft_lp", "stl_lp"]',
        'methods = ["stl"]\ncertify = "sometimes"'))
    with pytest.raises(TypeError, match="certify must be"):
        load_experiment(str(path))
