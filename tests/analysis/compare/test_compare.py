"""featreuse.compare (analysis.compare): every method of a problem against its reference minimiser.

Tolerances (relative distance to the cvxpy reference, small problems):

* exact methods (the program's own solvers; the single-task flow of (P-ent);
  the weight-decayed MTL flow): 1e-8, measured 1e-16 to 2e-12;
* GD (numba and torch, same iterates): its discretisation gap at lr = 0.1,
  measured 9e-3 here: bound 3e-2; the two implementations agree to 1e-10;
* trainers on min-l1 at alpha = 1e-6: measured 7e-4 to 8e-4 here: bound 5e-3;
* trainers on min-l12 at alpha = 1e-3 (LL's small-init heuristic): measured
  5e-3 here: bound 5e-2.

The table's numbers are recomputed here from the returned betas.
"""
import subprocess
import sys

import h5py
import numpy as np
import pytest

from featreuse import solvers
from featreuse.analysis.compare import compare, problems
from featreuse.analysis.compare.problem import Problem
from featreuse.analysis.compare.runner import REPEAT_BUDGET_S
from featreuse.solvers import penalties
from featreuse.errors import InfeasibleError, InputError, InputTypeError
from tests.solvers.conftest import make_problem

EXACT = 1e-8


def _rel(a, b):
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


@pytest.fixture(scope="module")
def stl():
    X, y, _ = make_problem(16, 40, k=3, seed=2)
    return X, y


@pytest.fixture(scope="module")
def tasks():
    X, y, b = make_problem(16, 40, k=3, seed=2)
    rng = np.random.default_rng(3)
    Xa = rng.standard_normal((30, 40))
    ba = np.zeros(40)
    ba[np.flatnonzero(b)] = rng.standard_normal(3)
    return [Xa, X], [Xa @ ba, y]


@pytest.fixture(scope="module")
def entropy_cmp(stl):
    X, y = stl
    return compare(problems.implicit_bias(X, y, 0.1), repeats=2)


def _check_table(cmp, ref_beta):
    """The table's distance, objective and residual, recomputed from the betas."""
    t = cmp.table.set_index("method")
    for name, beta in cmp.betas.items():
        assert t.loc[name, "distance"] == pytest.approx(_rel(beta, ref_beta), rel=1e-9, abs=1e-300)
        assert t.loc[name, "objective"] == pytest.approx(cmp.problem.objective(beta), rel=1e-12)
    return t


def test_import_compare_stays_light_and_fr_compare_is_the_function():
    code = ("import sys\n"
            "import featreuse as fr\n"
            "import featreuse.analysis.compare as package\n"
            "heavy = {'cvxpy', 'torch', 'pandas', 'matplotlib', 'h5py', 'sklearn'}\n"
            "assert not heavy & set(sys.modules), heavy & set(sys.modules)\n"
            "assert callable(fr.compare) and fr.compare is package.compare\n"
            "assert not callable(package)\n"
            "assert fr.problems is sys.modules['featreuse.analysis.compare.problems']\n"
            "assert not {'cvxpy', 'torch'} & set(sys.modules)\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr


def test_implicit_bias_every_method_agrees_with_cvxpy(entropy_cmp, stl):
    X, y = stl
    cmp = entropy_cmp
    assert list(cmp.table["method"]) == ["flow", "gd", "gd-torch", "cvxpy", "newton"]
    assert (cmp.table["status"] == "ok").all() and cmp.table["converged"].all()
    ref = cmp.reference.beta
    assert cmp.reference.method == "cvxpy" and cmp.reference.certificate < 1e-9
    t = _check_table(cmp, ref)
    for m in ("flow", "cvxpy", "newton"):
        assert t.loc[m, "distance"] <= EXACT and t.loc[m, "exact"]
    for m in ("gd", "gd-torch"):
        assert 1e-4 < t.loc[m, "distance"] < 3e-2 and not t.loc[m, "exact"]
    # the two GD implementations take the same steps
    assert _rel(cmp.betas["gd-torch"], cmp.betas["gd"]) < 1e-10
    assert t.loc["gd", "steps"] == t.loc["gd-torch", "steps"]
    # the numba GD row is train_single's GD; the flow row is train_single's flow
    gd = solvers.train_single(X, y, init=0.1, method="gd", lr=0.1)
    assert np.array_equal(cmp.betas["gd"], gd.beta) and t.loc["gd", "steps"] == gd.steps
    assert np.array_equal(cmp.betas["flow"], solvers.train_single(X, y, init=0.1).beta)
    # certificate: the (P-ent) KKT residual at each beta; residual ||X b - y|| / ||y||
    from featreuse.solvers.convex import entropy_certificate
    logs = solvers.diagonal.log_AB(solvers.diagonal.single_init(0.1, X.shape[1]))
    for m, beta in cmp.betas.items():
        assert t.loc[m, "certificate"] == pytest.approx(
            entropy_certificate(X, y, beta, *logs)["kkt"], rel=1e-9)
        assert t.loc[m, "residual"] == pytest.approx(
            np.linalg.norm(X @ beta - y) / np.linalg.norm(y), rel=1e-9)
        assert t.loc[m, "objective"] == pytest.approx(
            float(penalties.entropy_penalty(beta, 0.1)), rel=1e-12)
    # only the reference's own solver is not independent of it
    assert list(t["independent"]) == [True, True, True, False, True]
    assert (t["reference"] == "cvxpy").all()
    # two calls each, except a method whose first call alone spent the repeat budget (a
    # cold numba cache compiles in that call on a slow machine)
    one_call = (t["calls"] == 1) & (t["wall_s"] >= REPEAT_BUDGET_S)
    assert ((t["calls"] == 2) | one_call).all()
    # compilation is the first call minus the median of the others: none with one call
    assert (np.isfinite(t["compile_s"]) == (t["calls"] > 1)).all()


def test_curves_follow_each_iterative_path(entropy_cmp):
    cmp = entropy_cmp
    c = cmp.curves
    assert list(c.columns) == ["method", "step", "flow_time", "time", "objective", "distance"]
    assert set(c["method"]) == {"flow", "gd", "gd-torch"}
    gd = c[c["method"] == "gd"]
    assert len(gd) >= 20 and np.all(np.diff(gd["step"]) > 0) and np.all(np.diff(gd["time"]) >= 0)
    assert np.allclose(gd["flow_time"], 0.1 * gd["step"])
    # the last sample is the row's answer; distance falls from about 1 at the start
    assert gd["distance"].iloc[-1] == pytest.approx(
        cmp.table.set_index("method").loc["gd", "distance"], rel=1e-12)
    assert gd["distance"].iloc[0] > 0.5
    flow = c[c["method"] == "flow"]
    assert flow["time"].isna().all() and flow["step"].isna().all()
    assert np.all(np.diff(flow["flow_time"]) > 0) and flow["distance"].iloc[-1] < 1e-9
    # GD at t = lr k tracks the flow at t (the same path, up to the discretisation gap)
    torch_gd = c[c["method"] == "gd-torch"].set_index("step")["distance"]
    numba_gd = gd.set_index("step")["distance"]
    common = numba_gd.index.intersection(torch_gd.index)
    assert len(common) >= 20
    assert np.allclose(numba_gd[common], torch_gd[common], rtol=1e-8, atol=1e-12)


def test_plot_and_hdf5(entropy_cmp, tmp_path):
    cmp = entropy_cmp
    fig = cmp.plot()
    assert len(fig.axes) == 2 and all(ax.get_xscale() == "log" and ax.get_yscale() == "log"
                                      for ax in fig.axes)
    assert {line.get_label() for line in fig.axes[1].get_lines()} >= {"flow", "gd", "gd-torch"}
    path = cmp.to_hdf5(tmp_path / "cmp.h5")
    with h5py.File(path, "r") as f:
        assert f.attrs["problem"] == "implicit_bias" and f.attrs["reference"] == "cvxpy"
        import json
        prov = json.loads(f.attrs["provenance"])
        assert {"numpy", "scipy", "cvxpy", "torch", "numba"} <= set(prov["packages"])
        assert prov["featreuse"] == f.attrs["featreuse_version"] != ""
        assert prov["cpu"] and prov["cpu_count"] >= 1
        methods = [m.decode() for m in f["table/method"][:]]
        assert methods == list(cmp.table["method"])
        assert np.allclose(f["table/distance"][:], cmp.table["distance"])
        assert np.array_equal(f["betas/gd"][:], cmp.betas["gd"])
        assert np.array_equal(f["reference_beta"][:], cmp.reference.beta)
        assert len(f["curves/distance"]) == len(cmp.curves)
    assert "implicit_bias" in repr(cmp) and "gd-torch" in repr(cmp)


def test_finetune_is_implicit_bias_of_the_finetuning_init(stl):
    X, y = stl
    Xa, ya, _ = make_problem(30, 40, k=4, seed=5)
    pre = solvers.train_single(Xa, ya, init=1e-2)
    problem = problems.finetune(X, y, pre, rescale=0.5, readout_init=1e-2)
    cmp = compare(problem, ["flow", "cvxpy", "newton"], repeats=1, curves=False)
    t = _check_table(cmp, cmp.reference.beta)
    assert (t["distance"] <= EXACT).all() and cmp.curves.empty
    ft = solvers.finetune(pre, X, y, rescale=0.5, readout_init=1e-2)
    assert np.array_equal(cmp.betas["flow"], ft.beta)
    init = solvers.diagonal.finetune_init(pre.params, 0.5, 1e-2)
    assert t.loc["flow", "objective"] == pytest.approx(
        float(penalties.entropy_penalty(ft.beta, init)), rel=1e-12)
    # a pretrained predictor is taken as the balanced params of the small-init limit
    from_beta = problems.finetune(X, y, pre.beta, rescale=0.5, readout_init=1e-2)
    assert from_beta.settings["pretrained"].startswith("beta_pre")


def test_min_l1_solvers_exact_trainers_at_small_init(stl):
    X, y = stl
    cmp = compare(problems.min_l1(X, y, init=1e-6), ["flow", "gd", "cvxpy", "highs"],
                          repeats=1)
    t = _check_table(cmp, cmp.reference.beta)
    assert t.loc["highs", "distance"] <= EXACT and t.loc["cvxpy", "distance"] <= EXACT
    assert t.loc["flow", "distance"] < 5e-3 and t.loc["gd", "distance"] < 5e-3
    assert t.loc["flow", "objective"] == pytest.approx(np.abs(cmp.betas["flow"]).sum())
    # duality gaps for the solvers, none for the trainers
    assert t.loc["highs", "certificate"] < 1e-9 and np.isnan(t.loc["flow", "certificate"])
    assert not t.loc["flow", "exact"] and t.loc["highs", "independent"]


def test_min_l12_and_weight_decay(tasks):
    Xs, ys = tasks
    cmp = compare(problems.min_l12(Xs, ys, init=1e-3),
                          ["flow", "gd", "cvxpy", "reduced-clarabel"], repeats=1)
    t = _check_table(cmp, cmp.reference.beta)
    assert cmp.betas["flow"].shape == (40, 2)
    assert t.loc["reduced-clarabel", "distance"] <= EXACT
    assert not t.loc["reduced-clarabel", "independent"]  # both rest on Clarabel
    assert t.loc["flow", "distance"] < 5e-2 and t.loc["gd", "distance"] < 5e-2
    assert t.loc["cvxpy", "objective"] == pytest.approx(
        np.sqrt((cmp.reference.beta ** 2).sum(axis=1)).sum(), rel=1e-12)
    # stacked (T, n, D) arrays work too
    stacked = problems.min_l12(np.stack([Xs[1], Xs[1]]), np.stack([ys[1], ys[1]]))
    assert stacked.shape == (40, 2)

    wd = compare(problems.mtl_weight_decay(Xs, ys, 1e-2), ["flow", "gd", "cvxpy"],
                         repeats=1)
    t = _check_table(wd, wd.reference.beta)
    assert t.loc["flow", "distance"] <= EXACT and t.loc["flow", "exact"]
    assert t.loc["gd", "distance"] < 1e-6
    assert (t["certificate"] < 1e-8).all()  # the group lasso's duality gap at each beta
    omega = np.full(2, 1 / 46)
    assert t.loc["cvxpy", "objective"] == pytest.approx(penalties.mtl_weight_decay_objective(
        wd.reference.beta, Xs, ys, 1e-2, omega), rel=1e-12)


def test_a_failing_or_slow_method_is_a_row_not_an_exception(stl):
    X, y = stl
    diverging = problems.implicit_bias(X, y, 0.1, lr=50.0, max_restarts=0)
    cmp = compare(diverging, ["flow", "gd"], repeats=1)
    t = cmp.table.set_index("method")
    assert t.loc["flow", "status"] == "ok" and t.loc["gd", "status"].startswith(
        "failed: DivergenceError")
    assert np.isnan(t.loc["gd", "distance"]) and "gd" not in cmp.betas
    slow = problems.implicit_bias(X, y, 1e-6)  # about 1e6 GD steps
    cmp = compare(slow, ["gd", "gd-torch", "newton"], timeout=0.05, repeats=3)
    t = cmp.table.set_index("method")
    for m in ("gd", "gd-torch"):
        assert t.loc[m, "status"] == "timeout" and not t.loc[m, "converged"]
        assert t.loc[m, "calls"] == 1 and 0 < t.loc[m, "steps"] < 10 ** 6
        assert 0 < t.loc[m, "distance"] <= 1.0 + 1e-9  # scored where it stopped
    assert t.loc["newton", "status"] == "ok"


def test_reference_choice_and_failure(stl, monkeypatch):
    X, y = stl
    problem = problems.implicit_bias(X, y, 0.1, reference="newton")
    cmp = compare(problem, ["flow", "newton"], repeats=1)
    t = cmp.table.set_index("method")
    assert (t["reference"] == "newton").all() and not t["independent"].any()
    with pytest.raises(InputError, match="reference"):
        problems.implicit_bias(X, y, 0.1, reference="gd")

    def broken():
        raise solvers.SolverError("no answer", status="max_iter")
    problem = problems.implicit_bias(X, y, 0.1)
    monkeypatch.setattr(problem, "_reference_solve", broken)
    cmp = compare(problem, ["flow"], repeats=1)
    assert cmp.reference is None and "SolverError" in cmp.info["reference_error"]
    assert np.isnan(cmp.table["distance"]).all() and cmp.table["status"].eq("ok").all()


def test_repeat_budget(stl, monkeypatch):
    from featreuse.analysis.compare import runner
    X, y = stl
    monkeypatch.setattr(runner, "REPEAT_BUDGET_S", 0.0)
    cmp = compare(problems.implicit_bias(X, y, 0.1), ["newton"], repeats=5)
    row = cmp.table.iloc[0]
    assert row["calls"] == 1 and np.isnan(row["compile_s"])


def test_bad_arguments_raise_before_any_work(stl, monkeypatch):
    X, y = stl
    problem = problems.implicit_bias(X, y, 0.1)
    monkeypatch.setattr(Problem, "run", lambda *a, **k: pytest.fail("work started"))
    monkeypatch.setattr(Problem, "reference_minimiser", lambda *a, **k: pytest.fail("work"))
    cases = [
        (dict(methods=["nope"]), InputError, "unknown method 'nope'"),
        (dict(methods=["highs"]), InputError, "'highs' does not apply to problem"),
        (dict(methods=["flow", "flow"]), InputError, "named twice"),
        (dict(methods=[]), InputError, "at least one"),
        (dict(methods=[1]), InputTypeError, "methods"),
        (dict(repeats=0), InputError, "repeats"),
        (dict(repeats=1.5), InputTypeError, "repeats"),
        (dict(timeout=-1.0), InputError, "timeout"),
        (dict(timeout="1"), InputTypeError, "timeout"),
        (dict(curves="yes"), InputTypeError, "curves"),
        (dict(reference="gd"), InputError, "reference"),
    ]
    for kw, error, match in cases:
        with pytest.raises(error, match=match):
            compare(problem, **kw)
    with pytest.raises(InputTypeError, match="problem"):
        compare((X, y))
    # methods as one comma-separated string is accepted (the check passes, then work starts)
    with pytest.raises(pytest.fail.Exception):
        compare(problem, "flow, newton")


def test_problems_check_their_input_up_front(stl, tasks):
    X, y = stl
    bad = X.copy()
    bad[0, 0] = np.nan
    cases = [
        (lambda: problems.implicit_bias(bad, y), InputError, "X contains NaN"),
        (lambda: problems.implicit_bias(X, y[:-1]), InputError, "y has 15 entries"),
        (lambda: problems.implicit_bias(X[:, 0], y), InputError, "X must be 2-dimensional"),
        (lambda: problems.implicit_bias(X, y, -1.0), InputError, "init"),
        (lambda: problems.implicit_bias(X, y, lr=0.0), InputError, "lr"),
        (lambda: problems.implicit_bias(X, y, max_steps=0), InputError, "max_steps"),
        (lambda: problems.min_l1(X[:, :5], y), InfeasibleError, "y is not in the range of X"),
        (lambda: problems.min_l12([X, X[:, :5]], [y, y]), InputError, "columns"),
        (lambda: problems.finetune(X, y, np.ones((4, 7))), InputError, "pretrained"),
        (lambda: problems.finetune(X, y, "pre"), InputTypeError, "pretrained"),
        (lambda: problems.min_l12(tasks[0], tasks[1][:1]), InputError, "equal length"),
        (lambda: problems.min_l12(np.zeros((2, 3)), tasks[1]), InputError, "Xs must be"),
        (lambda: problems.mtl_weight_decay(*tasks, 0.0), InputError, "weight_decay"),
        (lambda: problems.mtl_weight_decay(*tasks, 1e-2, task_weights=[1.0]), InputError,
         "task_weights"),
    ]
    for make, error, match in cases:
        with pytest.raises(error, match=match):
            make()
    problem = problems.implicit_bias(X, y)
    assert problem.methods == ("flow", "gd", "gd-torch", "cvxpy", "newton")
    assert "implicit_bias" in repr(problem)
    with pytest.raises(InputError, match="beta must have shape"):
        problem.objective(np.zeros(3))


def test_gd_between_sample_steps_takes_the_trainers_steps():
    """Run in stretches (Gram kernel n >= D, a divergence restart, multi-task), GD ends
    exactly where the trainers' GD ends."""
    from featreuse.analysis.compare.gd_path import gd_multi_path, gd_single_path
    X, y, _ = make_problem(50, 20, k=3, seed=1)
    init = np.full((4, 20), 0.1)
    for lr in (0.1, 3.0):  # 3.0 diverges once and restarts at 0.3
        res = solvers.train_single(X, y, 0.1, method="gd", lr=lr)
        params, _, steps, lr_end, restarts, converged, _, path = gd_single_path(
            X, y, init, lr, 1e-10, 10 ** 6, 10, record=True)
        assert np.array_equal(solvers.diagonal.beta_single(params), res.beta)
        assert (steps, lr_end, restarts, converged) == (res.steps, res.lr, res.restarts, True)
        assert path.step[-1] == steps and np.array_equal(path.beta[-1], res.beta)
    Xs, ys = [X, X[:30]], [y, y[:30]]
    res = solvers.train_multi(Xs, ys, 0.1, method="gd")
    out = gd_multi_path(Xs, ys, np.full((3, 2, 20), 0.1), res.sample_weights, 0.0, 0.1, 1e-10,
                        10 ** 6, 10)
    assert np.array_equal(out[0], res.params) and out[2] == res.steps


def test_the_torch_loop_takes_the_numba_steps_on_multi_task_losses():
    X, y, _ = make_problem(12, 15, k=2, seed=1)
    Xa, ya, _ = make_problem(10, 15, k=2, seed=3)
    for problem in (problems.min_l12([Xa, X], [ya, y], init=0.3, max_steps=1500),
                    problems.mtl_weight_decay([Xa, X], [ya, y], 1e-2, init=0.3, max_steps=1500)):
        cmp = compare(problem, ["gd", "gd-torch"], repeats=1, curves=False)
        t = cmp.table.set_index("method")
        assert (t["steps"] == 1500).all() and not t["converged"].any()  # both stop at max_steps
        assert _rel(cmp.betas["gd-torch"], cmp.betas["gd"]) < 1e-12
