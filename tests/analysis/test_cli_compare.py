"""featreuse compare end to end: analysis.cli.main(["compare", ...]) on npz files.

A bad data file (missing, unreadable, a missing key, wrong shapes, NaN) ends with exit
code 2 and one line on stderr, before any work.
"""
import h5py
import numpy as np
import pandas as pd
import pytest

from featreuse.analysis.cli import main
from featreuse.analysis.commands import compare as compare_command
from featreuse.analysis.compare.problem import Problem


def _exit_code(argv):
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code


def _one_line_error(capsys, match):
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and match in lines[0], err
    assert "Traceback" not in err


@pytest.fixture
def data(tmp_path):
    """A small single-task npz (n = 12, D = 30) and a writer of variants."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((12, 30))
    beta = np.zeros(30)
    beta[:3] = [1.0, -0.5, 0.8]

    def write(name, **arrays):
        path = tmp_path / f"{name}.npz"
        np.savez(path, **arrays)
        return str(path)
    return X, X @ beta, write


def test_compare_writes_table_curves_hdf5_and_figure(data, tmp_path, capsys):
    X, y, write = data
    path = write("ok", X=X, y=y)
    out = tmp_path / "out"
    argv = ["compare", "--data", path, "--problem", "implicit_bias", "--methods",
            "flow,gd,cvxpy,newton", "--init", "0.1", "--repeats", "1", "--out", str(out)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "Comparison of implicit_bias (reference cvxpy)" in printed
    table = pd.read_csv(out / "table.csv")
    assert list(table["method"]) == ["flow", "gd", "cvxpy", "newton"]
    assert (table["status"] == "ok").all()
    assert table.set_index("method").loc[["flow", "newton"], "distance"].max() < 1e-8
    curves = pd.read_csv(out / "curves.csv")
    assert set(curves["method"]) == {"flow", "gd"}
    with h5py.File(out / "comparison.h5", "r") as f:
        assert f.attrs["problem"] == "implicit_bias" and "betas/flow" in f
    with open(out / "comparison.png", "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    for name in ("table.csv", "curves.csv", "comparison.h5", "comparison.png"):
        assert str(out / name) in printed


def test_the_packaged_example_serves_every_problem(tmp_path, monkeypatch, capsys):
    arrays = np.load(compare_command.EXAMPLE)
    expected = compare_command.example_arrays()
    assert sorted(arrays.files) == sorted(expected)
    for k in expected:
        assert np.array_equal(arrays[k], expected[k]), k
    assert arrays["X"].shape == (32, 128)
    args = type("Args", (), dict(init=None, lr=0.1, max_steps=1000, rescale=0.5,
                                 readout_init=1e-3, weight_decay=1e-2))
    for name in compare_command.DATA_KEYS:
        args.problem = name
        problem = compare_command.build_problem(args, dict(arrays), "example")
        assert problem.name == name
        assert problem.shape == ((128, 2) if name in ("min_l12", "mtl_weight_decay") else (128,))
    # the default output folder is results/compare-<problem> under the working directory
    monkeypatch.chdir(tmp_path)
    assert main(["compare", "--data", "example", "--problem", "min_l1", "--methods",
                 "highs,cvxpy", "--repeats", "1"]) == 0
    assert (tmp_path / "results" / "compare-min_l1" / "table.csv").exists()
    assert "min_l1" in capsys.readouterr().out


def test_bad_data_files_exit_2_with_one_line_before_work(data, tmp_path, capsys, monkeypatch):
    X, y, write = data
    monkeypatch.setattr(Problem, "run", lambda *a, **k: pytest.fail("work started"))
    nan = X.copy()
    nan[2, 3] = np.nan
    not_npz = tmp_path / "plain.npz"
    not_npz.write_text("not an archive")
    one_array = tmp_path / "one.npy"
    np.save(one_array, X)
    cases = [
        (["--data", str(tmp_path / "missing.npz"), "--problem", "implicit_bias"],
         "--data: no such file"),
        (["--data", str(not_npz), "--problem", "implicit_bias"], "cannot read"),
        (["--data", str(one_array), "--problem", "implicit_bias"], "not named arrays"),
        (["--data", write("noy", X=X), "--problem", "implicit_bias"], "has no array 'y'"),
        (["--data", write("nopre", X=X, y=y), "--problem", "finetune"],
         "has no array 'beta_pre'"),
        (["--data", write("short", X=X, y=y[:-1]), "--problem", "min_l1"],
         "y has 11 entries but X has 12 rows"),
        (["--data", write("flat", X=X[0], y=y), "--problem", "implicit_bias"],
         "X must be 2-dimensional"),
        (["--data", write("nan", X=nan, y=y), "--problem", "implicit_bias"],
         "X contains NaN or inf"),
        (["--data", write("pre", X=X, y=y, beta_pre=np.ones(5)), "--problem", "finetune"],
         "pretrained must be a predictor (30,)"),
        (["--data", write("tasks", X_0=X, y_0=y, X_1=X), "--problem", "min_l12"],
         "has no array 'y_1'"),
        (["--data", write("stack", X=X, y=y), "--problem", "min_l12"], "Xs must be"),
        (["--data", write("range", X=X[:, :5], y=y + X[:, 5]), "--problem", "min_l1"],
         "y is not in the range of X"),
        (["--data", write("ok", X=X, y=y), "--problem", "min_l1", "--methods", "newton"],
         "'newton' does not apply to problem 'min_l1'"),
        (["--data", write("ok", X=X, y=y), "--problem", "min_l1", "--methods", "bogus"],
         "unknown method 'bogus'"),
        (["--data", write("ok", X=X, y=y), "--problem", "lasso"], "--problem: invalid choice"),
        (["--data", write("ok", X=X, y=y), "--problem", "min_l1", "--repeats", "0"], "repeats"),
        (["--data", write("ok", X=X, y=y), "--problem", "min_l1", "--out", "/proc/x"],
         "--out"),
    ]
    for argv, match in cases:
        assert _exit_code(["compare", *argv]) == 2, argv
        _one_line_error(capsys, match)
