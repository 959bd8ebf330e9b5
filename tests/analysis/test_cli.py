"""The featreuse command end to end: analysis.cli.main(argv) and the installed command.

Bad input ends with exit code 2 and one line on stderr naming the argument, before any
work, and leaves existing files unchanged.
"""
import hashlib
import os
import re
import subprocess
import sys

import h5py
import numpy as np
import pytest

from featreuse import analysis
from featreuse.analysis.cli import build_parser, main
from featreuse.analysis.commands.run import default_out
from featreuse.analysis.experiments import load_experiment
from featreuse.analysis.families.diagonal import execute as diag_execute
from featreuse.analysis.families.diagonal.plan import plan

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

TINY = """
family = "diagonal"
description = "cli test"
regimes = ["stl", "ptft", "stl_lp"]
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


@pytest.fixture
def toml(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    return str(path)


@pytest.fixture
def no_work(monkeypatch):
    """Fail the test if any run or certification case starts."""
    monkeypatch.setattr(diag_execute, "execute", lambda *a: pytest.fail("work started"))
    from featreuse.analysis.families.diagonal import certification
    monkeypatch.setattr(certification, "certification_cases",
                        lambda quick: pytest.fail("work started"))


def _digest(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def _one_line_error(capsys, match):
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and match in lines[0], err
    assert "Traceback" not in err
    return lines[0]


def test_list_shows_the_named_experiments(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in ("diag-overlap", "diag-sparsity", "diag-rescale"):
        line = next(l for l in out.splitlines() if l.startswith(name))
        assert line.split()[1] == "diagonal" and len(line.split(None, 2)[2]) > 20


def test_run_then_plot(toml, tmp_path, capsys):
    out = tmp_path / "tiny.h5"
    total = len(plan(load_experiment(toml)))
    assert main(["run", toml, "--out", str(out), "--workers", "0"]) == 0
    captured = capsys.readouterr()
    # the summary line and the progress bar count the same runs (pretraining included)
    assert f"tiny: {total} runs: {total} done, 0 failed, 0 already done" in captured.out
    assert f"{total}/{total}" in captured.err
    df = analysis.load(out)
    assert len(df) == total - 2  # the two pretrainings have no summary row
    assert (df.loc[(df["regime"] == "stl") & (df["n"] == 16), "gen_loss"] == 1.0).all()
    # rerun: everything already done
    assert main(["run", toml, "--out", str(out), "--workers", "0", "--no-progress"]) == 0
    assert f"{total} runs: 0 done, 0 failed, {total} already done" in capsys.readouterr().out

    figs = tmp_path / "figs"
    assert main(["plot", str(out), "--out", str(figs)]) == 0
    paths = capsys.readouterr().out.split()
    assert sorted(os.path.basename(p) for p in paths) == ["tiny.pdf", "tiny.png"]
    with open(figs / "tiny.png", "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    with open(figs / "tiny.pdf", "rb") as f:
        assert f.read(5) == b"%PDF-"


def _sweep_file(toml, tmp_path):
    out = tmp_path / "done.h5"
    assert main(["run", toml, "--out", str(out), "--workers", "0", "--no-progress"]) == 0
    return out


def test_bad_run_arguments_exit_2_with_one_line_before_work(toml, tmp_path, capsys, no_work):
    cases = [
        (["run", "no-such-experiment"], "unknown experiment 'no-such-experiment'"),
        (["run", "nonexist.toml"], "experiment file 'nonexist.toml' does not exist"),
        (["run", "diag-overlap", "--seeds", "0"], "--seeds"),
        (["run", "diag-overlap", "--seeds", "x"], "--seeds: invalid int value"),
        (["run", "diag-overlap", "--workers", "-1"], "--workers"),
        (["run", "diag-overlap", "--device", "tpu"], "--device: invalid choice"),
        (["run", "diag-overlap", "--out", "/nonexistent-dir/x.h5"], "does not exist"),
        (["run", "diag-overlap", "--out", "/proc/x.h5"], "out: cannot create files in '/proc'"),
        (["run", "diag-overlap", "--out", str(tmp_path)], "is a directory"),
        (["bogus"], "invalid choice: 'bogus'"),
        (["run", "diag-overlap", "--set", "nokey"], "--set must be KEY=VALUE"),
        (["run", "diag-overlap", "--set", "family=deep"], "'family' cannot be overridden"),
        (["run", "diag-overlap", "--set", "train.bogus=1"], "unknown setting 'bogus'"),
        (["run", "diag-overlap", "--set", "n=[16, 0]"], "n entries must be >= 1"),
    ]
    for argv, match in cases:
        assert _exit_code(argv) == 2, argv
        _one_line_error(capsys, match)


def _exit_code(argv):
    """main's exit code, whether it returns it or argparse exits."""
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code


def test_cuda_without_a_gpu_is_an_error_before_work(toml, tmp_path, capsys, no_work, monkeypatch):
    import torch
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    out = tmp_path / "never.h5"
    assert main(["run", toml, "--out", str(out), "--device", "cuda"]) == 2
    _one_line_error(capsys, "torch.cuda.is_available() is False")
    assert not out.exists()


def test_set_overrides_the_experiment_file(toml, tmp_path, capsys):
    out = tmp_path / "set.h5"
    assert main(["run", toml, "--out", str(out), "--workers", "0", "--no-progress",
                 "--set", "n=[16]", "--set", "seeds=1", "--set", "train.init=0.01"]) == 0
    from featreuse.analysis.store import read_config
    config = read_config(out)
    assert config.n == [16] and config.seeds == [0] and config.train["stl"]["init"] == 0.01
    assert set(analysis.load(out)["n"]) == {16}
    # the override is part of the config: rerunning without it is another config
    assert main(["run", toml, "--out", str(out)]) == 2
    _one_line_error(capsys, "another config")


def test_existing_files_are_refused_untouched(toml, tmp_path, capsys):
    out = _sweep_file(toml, tmp_path)
    before = _digest(out)
    assert main(["run", "diag-overlap", "--quick", "--out", str(out)]) == 2
    _one_line_error(capsys, "holds experiment 'tiny'")
    assert main(["run", toml, "--seeds", "3", "--out", str(out)]) == 2
    _one_line_error(capsys, "another config (differs in: seeds)")
    foreign = tmp_path / "foreign.h5"
    with h5py.File(foreign, "w") as f:
        f["x"] = np.arange(3)
    foreign_before = _digest(foreign)
    assert main(["run", toml, "--out", str(foreign)]) == 2
    _one_line_error(capsys, "is an HDF5 file but not a featreuse sweep file")
    assert _digest(out) == before and _digest(foreign) == foreign_before


def test_bad_plot_arguments_exit_2_with_one_line(toml, tmp_path, capsys):
    out = _sweep_file(toml, tmp_path)
    truncated = tmp_path / "cut.h5"
    truncated.write_bytes(out.read_bytes()[:4000])
    foreign = tmp_path / "foreign.h5"
    with h5py.File(foreign, "w") as f:
        f["x"] = np.arange(3)
    text = tmp_path / "notes.h5"
    text.write_text("not hdf5")
    cases = [
        (["plot", str(tmp_path / "missing.h5")], "does not exist"),
        (["plot", str(text)], "is not an HDF5 file"),
        (["plot", str(truncated)], "cannot be read (truncated or damaged"),
        (["plot", str(foreign)], "not a featreuse sweep file"),
        (["plot", str(out), "--out", "/proc/figs"], "--out: cannot create files in '/proc'"),
        (["plot", str(out), "--out", str(text)], "--out: "),
        (["plot"], "needs an HDF5 file or --penalties"),
    ]
    hashes = {p: _digest(p) for p in (out, truncated, foreign, text)}
    for argv, match in cases:
        assert main(argv) == 2, argv
        _one_line_error(capsys, match)
    assert {p: _digest(p) for p in hashes} == hashes


def test_check_outputs_are_checked_before_any_work(capsys, no_work, tmp_path):
    for argv, match in [(["check", "--quick", "--json", "/proc/rows.json"], "--json"),
                        (["check", "--quick", "--plot", "/proc/figs"], "--plot"),
                        (["check", "--quick", "--json", str(tmp_path)], "is a directory"),
                        (["check", "--family", "spline"], "unknown family 'spline'")]:
        assert main(argv) == 2, argv
        _one_line_error(capsys, match)


def test_default_output_path():
    assert default_out(load_experiment("diag-overlap", quick=True)) == \
        os.path.join("results", "diag-overlap-quick.h5")


def test_unreachable_scheduler_fails_before_the_file_is_created(toml, tmp_path, capsys):
    import dask
    import distributed  # noqa: F401  (load its config defaults before overriding one of them:
    # otherwise leaving the `with` removes the whole "distributed" config section)
    out = tmp_path / "never.h5"
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        assert main(["run", toml, "--out", str(out), "--scheduler", "tcp://127.0.0.1:9"]) == 2
    _one_line_error(capsys, "--scheduler: cannot connect")
    assert not out.exists()


def test_plot_penalties_writes_every_figure(tmp_path, capsys):
    assert main(["plot", "--penalties", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out.split()
    assert len(printed) == 8 and all(p.endswith((".png", ".pdf")) for p in printed)
    assert all((tmp_path / os.path.basename(p)).stat().st_size > 0 for p in printed)


def test_help_is_plain_text_and_version_works(capsys):
    from featreuse.version import featreuse_version
    parser = build_parser()
    texts = [parser.format_help()]
    for action in parser._subparsers._group_actions:
        texts += [p.format_help() for p in action.choices.values()]
    for text in texts:
        assert "``" not in text and ":func:" not in text and ":class:" not in text
    assert _exit_code(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"featreuse {featreuse_version()}"


def test_the_installed_command_runs_and_fails_cleanly(tmp_path):
    env = dict(os.environ, PYTHONPATH=ROOT)
    ok = subprocess.run([sys.executable, "-m", "featreuse.analysis.cli", "--version"], env=env,
                        capture_output=True, text=True)
    assert ok.returncode == 0 and re.fullmatch(r"featreuse \S+\n", ok.stdout)
    bad = subprocess.run([sys.executable, "-m", "featreuse.analysis.cli", "plot", str(tmp_path / "x.h5")],
                         env=env, capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "does not exist" in bad.stderr
