"""The `featreuse list / run / plot` commands, end to end through analysis.cli."""
import os

import pytest

import analysis
from analysis import commands
from analysis.sweep import plan

TINY = """
description = "cli test"
methods = ["stl", "ptft", "stl_lp"]
n = [16, 32]
seeds = 2
[teacher]
D = 30
k_aux = 3
n_aux = 24
n_test = 100
[grid]
overlap = [3, 0]
k = [3]
"""


def _main(argv):
    from analysis.cli import main
    return main(argv)


@pytest.fixture
def toml(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    return str(path)


def test_list_shows_the_named_experiments(capsys):
    assert _main(["list"]) == 0
    out = capsys.readouterr().out
    for name in ("diag-overlap", "diag-sparsity", "diag-rescale"):
        line = next(l for l in out.splitlines() if l.startswith(name))
        assert len(line.split(None, 1)[1]) > 20  # a description follows


def test_run_then_plot(toml, tmp_path, capsys):
    out = tmp_path / "tiny.h5"
    assert _main(["run", toml, "--out", str(out), "--workers", "0", "--no-progress"]) == 0
    df = analysis.load(out)
    from analysis.experiments import load_experiment
    assert len(df) == len(plan(load_experiment(toml)))
    assert (df.loc[(df["method"] == "stl") & (df["n"] == 16), "gen_loss"] == 1.0).all()
    assert "0 already done" in capsys.readouterr().out
    # rerun: everything already done
    assert _main(["run", toml, "--out", str(out), "--workers", "0", "--no-progress"]) == 0
    assert f"0 done, 0 failed, {len(df)} already done" in capsys.readouterr().out

    figs = tmp_path / "figs"
    assert _main(["plot", str(out), "--out", str(figs)]) == 0
    paths = capsys.readouterr().out.split()
    assert sorted(os.path.basename(p) for p in paths) == ["tiny.pdf", "tiny.png"]
    with open(figs / "tiny.png", "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    with open(figs / "tiny.pdf", "rb") as f:
        assert f.read(5) == b"%PDF-"


@pytest.mark.parametrize("argv,match", [
    (["run", "no-such-experiment"], "unknown experiment 'no-such-experiment'"),
    (["run", "diag-overlap", "--seeds", "0"], "--seeds"),
    (["run", "diag-overlap", "--workers", "-1"], "--workers"),
    (["run", "diag-overlap", "--out", "/nonexistent-dir/x.h5"], "does not exist"),
    (["plot", "/nonexistent-dir/x.h5"], "not an HDF5 file"),
])
def test_bad_arguments_fail_cleanly_before_work(argv, match, capsys, monkeypatch):
    from analysis import runs
    monkeypatch.setattr(runs, "execute", lambda task: pytest.fail("work started"))
    assert _main(argv) == 2
    assert match in capsys.readouterr().err


def test_run_refuses_a_file_of_another_experiment(toml, tmp_path, capsys):
    out = tmp_path / "tiny.h5"
    assert _main(["run", toml, "--out", str(out), "--workers", "0", "--no-progress"]) == 0
    before = out.read_bytes()
    assert _main(["run", "diag-overlap", "--quick", "--out", str(out)]) == 2
    assert "holds experiment 'tiny'" in capsys.readouterr().err
    assert _main(["run", toml, "--seeds", "3", "--out", str(out)]) == 2
    assert "another config" in capsys.readouterr().err
    assert out.read_bytes() == before


def test_default_output_path():
    from analysis.experiments import load_experiment
    assert commands.default_out(load_experiment("diag-overlap", quick=True)) == \
        os.path.join("results", "diag-overlap-quick.h5")


def test_unreachable_scheduler_fails_before_the_file_is_created(toml, tmp_path, capsys):
    import dask
    import distributed  # noqa: F401  (load its config defaults before overriding one of them:
    # otherwise leaving the `with` removes the whole "distributed" config section)
    out = tmp_path / "never.h5"
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        assert _main(["run", toml, "--out", str(out), "--scheduler", "tcp://127.0.0.1:9"]) == 2
    assert "cannot connect" in capsys.readouterr().err
    assert not out.exists()


def test_plot_penalties_writes_every_figure(tmp_path, capsys):
    assert _main(["plot", "--penalties", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out.split()
    assert len(printed) == 8 and all(p.endswith((".png", ".pdf")) for p in printed)
    assert all((tmp_path / p.split("/")[-1]).stat().st_size > 0 for p in printed)


def test_plot_without_file_or_penalties_is_an_error(capsys):
    assert _main(["plot"]) == 2
    assert "needs an HDF5 file" in capsys.readouterr().err
