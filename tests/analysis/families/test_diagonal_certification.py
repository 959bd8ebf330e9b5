"""Certification: trained diagonal networks vs the minimisers of their convex programs.

Each test compares two independent computations (a trainer and a convex
solver, or two solvers) or checks a typed error.
"""
import json

import numpy as np
import pytest

from featreuse.analysis.certificate import EXACT_TOL, Certificate
from featreuse.analysis.families.diagonal import certification
from featreuse.solvers.certify import distance_to_program, reference_solver
from tests.solvers.conftest import make_problem
from featreuse.solvers import finetune, train_multi, train_single
from featreuse.errors import InputError, InputTypeError


def sparse_problem(n, D, k, seed):
    """LL-style inputs (||x||^2 = D) and a k-sparse +-1/sqrt(k) teacher: (X, y)."""
    X, y, _ = make_problem(n, D, k=k, seed=seed)
    return X, y


@pytest.fixture(scope="module")
def stl_data():
    return sparse_problem(16, 50, 3, seed=3)


@pytest.mark.parametrize("alpha", [1e-3, 1e-1, 1.0])
def test_stl_flow_is_the_implicit_bias_minimiser(stl_data, alpha):
    X, y = stl_data
    res = train_single(X, y, init=alpha, method="flow")
    cert = distance_to_program("stl", res, X, y, init=alpha)
    assert isinstance(cert, Certificate) and cert.exact and cert.kind == "stl"
    assert cert.program == "implicit_bias[cvxpy]"
    assert cert.distance <= EXACT_TOL
    assert cert.status == "ok" and float(cert) == cert.distance
    # same minimiser, same objective (the trained beta interpolates to ~1e-12)
    assert cert.penalty_trained == pytest.approx(cert.penalty_convex, rel=1e-6, abs=1e-12)


def test_fast_and_cvxpy_entropy_backends_agree(stl_data):
    from featreuse.solvers.convex import implicit_bias
    X, y = stl_data
    for alpha in (1e-2, 0.5):
        fast = implicit_bias(X, y, init=alpha, backend="fast")
        cert = distance_to_program("stl", fast.beta, X, y, init=alpha, backend="cvxpy",
                                   method="implicit_bias[fast]")
        assert cert.distance <= EXACT_TOL


def test_ptft_flow_is_the_implicit_bias_of_the_finetuning_init():
    Xa, ya = sparse_problem(20, 50, 5, seed=4)
    X, y = sparse_problem(12, 50, 3, seed=5)
    pre = train_single(Xa, ya, init=1e-3)
    for s, c in ((1.0, 1e-3), (0.1, 1e-4)):
        ft = finetune(pre, X, y, rescale=s, readout_init=c)
        exact = distance_to_program("ptft", ft, X, y, pretrained=pre.params, rescale=s,
                                    readout_init=c)
        assert exact.exact and exact.distance <= EXACT_TOL
        # LL's idealised penalty is a different program: measured, never a failure
        ideal = distance_to_program("ptft_ideal", ft, X, y, pretrained=pre.params, rescale=s,
                                    readout_init=c)
        assert not ideal.exact and ideal.status == "measured"
        assert np.isfinite(ideal.distance)


def test_readout_only_flow_is_the_weighted_min_l2_interpolant(stl_data):
    X, y = stl_data
    rng = np.random.default_rng(0)
    init = rng.uniform(0.1, 1.0, (4, X.shape[1]))  # beta0 != 0, unequal weights
    res = train_single(X, y, init=init, train="readout")
    cert = distance_to_program("stl_lp", res, X, y, init=init)
    assert cert.exact and cert.distance <= EXACT_TOL


def _gl_data():
    Xa, ya = sparse_problem(12, 30, 4, seed=6)
    X, y = sparse_problem(8, 30, 2, seed=7)
    return [Xa, X], [ya, y]


def test_weight_decayed_mtl_flow_reaches_the_group_lasso_minimiser():
    # LL teacher tasks, D = 40 (the quick table's problem): the flow reaches
    # stationarity (squared gradient norm < 1e-16) in ~1.4e4 steps
    from featreuse.analysis.families.diagonal import tasks
    lam = 1e-2
    t = tasks.make_teacher(0, D=40, k_aux=8, k=4, overlap=2)
    Xa, ya = tasks.aux_data(0, t, 16)
    X, y = tasks.main_data(0, t, 8)
    Xs, ys = [Xa, X], [ya, y]
    res = train_multi(Xs, ys, init=1e-2, method="flow", weight_decay=lam, tol=certification.WD_TOL,
                      max_steps=certification.WD_MAX_STEPS)
    assert res.converged
    cert = distance_to_program("mtl_wd", res, Xs, ys)
    assert cert.exact and cert.params["weight_decay"] == lam
    assert cert.distance <= 1e-12  # the flow's Newton polish ends at machine precision
    # the trained objective cannot beat the global minimum (beyond solver accuracy)
    assert cert.penalty_trained >= cert.penalty_convex * (1 - 1e-9)


def test_mtl_small_init_gap_is_a_measurement():
    Xs, ys = _gl_data()
    res = train_multi(Xs, ys, init=1e-2, method="flow")
    cert = distance_to_program("mtl", res, Xs, ys)
    assert not cert.exact and cert.status == "measured" and np.isfinite(cert.distance)
    # min_l12 is the minimum: the trained interpolant's ell_{1,2} cannot be below it
    assert cert.penalty_trained >= cert.penalty_convex * (1 - 1e-7)


def test_gd_vs_flow_is_measured_and_small_at_small_lr(stl_data):
    X, y = stl_data
    gd = train_single(X, y, init=0.1, method="gd", lr=0.01, tol=1e-16)
    cert = distance_to_program("gd", gd, X, y, init=0.1)
    assert cert.method == "gd" and cert.status == "measured"
    # GD is a first-order discretisation of the flow: at lr 0.01 it ends close to it
    assert cert.distance < 1e-2


def test_flagged_when_not_the_minimiser(stl_data):
    X, y = stl_data
    wrong = train_single(X, y, init=1.0).beta  # minimiser of a different alpha
    cert = distance_to_program("stl", wrong, X, y, init=1e-3, method="flow")
    assert cert.distance > 1e-3 and cert.failed and cert.status == "FAIL"


def test_settings_and_aux_arguments_of_the_sweep_hook(stl_data):
    Xs, ys = _gl_data()
    res = train_multi(Xs, ys, init=1e-2, method="flow")
    a = distance_to_program("mtl", res, Xs[1], ys[1], X_aux=Xs[0], y_aux=ys[0],
                            settings={"init": 1e-2, "method": "flow", "lr": 0.1})
    b = distance_to_program("mtl", res.beta, Xs, ys)
    assert a.distance == pytest.approx(b.distance, rel=1e-9)


def test_bad_inputs_raise_typed_errors(stl_data):
    X, y = stl_data
    beta = np.zeros(X.shape[1])
    with pytest.raises(InputError, match="kind"):
        distance_to_program("nope", beta, X, y)
    with pytest.raises(InputError, match="beta_trained"):
        distance_to_program("stl", beta[:-1], X, y)
    with pytest.raises(InputTypeError, match="beta_trained"):
        distance_to_program("stl", "beta", X, y)
    with pytest.raises(InputError, match="rescale"):
        distance_to_program("stl", beta, X, y, rescale=0.1)
    with pytest.raises(InputError, match="pretrained"):
        distance_to_program("ptft", beta, X, y)
    with pytest.raises(InputError, match="weight_decay"):
        distance_to_program("mtl_wd", np.zeros((X.shape[1], 2)), [X, X], [y, y])
    with pytest.raises(InputError, match="X_aux"):
        distance_to_program("mtl", np.zeros((X.shape[1], 2)), X, y)
    with pytest.raises(InputError, match="backend"):
        distance_to_program("stl", beta, X, y, backend="torch")
    with pytest.raises(InputTypeError, match="quick"):
        certification.certification_cases(quick="yes")


def test_featreuse_check_quick_end_to_end(tmp_path, capsys):
    from featreuse.analysis.cli import main
    out = tmp_path / "check.json"
    code = main(["check", "--quick", "--no-progress", "--json", str(out), "--plot", str(tmp_path)])
    printed = capsys.readouterr().out
    for suffix in ("png", "pdf"):
        assert (tmp_path / f"certify_distance_vs_alpha.{suffix}").stat().st_size > 0
    rows = json.loads(out.read_text())
    assert {r["kind"] for r in rows} >= {"stl", "ptft", "ptft_ideal", "mtl", "mtl_wd", "gd",
                                         "stl_lp", "ptft_lp"}
    assert all(np.isfinite(r["distance"]) for r in rows)
    failed = [r["case"] for r in rows if r["status"] == "FAIL"]
    assert code == (1 if failed else 0)
    assert failed == [], failed
    for r in rows:
        assert r["case"] in printed


def test_plot_distance_vs_alpha_draws_the_rows(tmp_path):
    from featreuse.analysis.families.diagonal.certify_figure import distance_vs_alpha, plot_distance_vs_alpha
    rows = [Certificate(f"stl a={a}", "flow", "p", d, 0.0, 0.0, 0.0, 0.0, {"alpha": a},
                        True, "stl") for a, d in ((1e-2, 1e-10), (1e-3, 0.0))]
    rows.append(Certificate("mtl", "flow", "p", 0.3, 0.0, 0.0, 0.0, 0.0, {"alpha": 1e-2},
                            False, "mtl").as_dict())
    a, d = distance_vs_alpha(rows, "stl")
    assert np.array_equal(a, [1e-3, 1e-2]) and np.array_equal(d, [0.0, 1e-10])
    paths = plot_distance_vs_alpha(rows, tmp_path / "figs")
    assert [p[-3:] for p in paths] == ["png", "pdf"]
    for p in paths:
        head = open(p, "rb").read(8)
        assert head.startswith(b"\x89PNG") if p.endswith("png") else head.startswith(b"%PDF")
    with pytest.raises(InputError, match="rows"):
        plot_distance_vs_alpha(rows[:0], tmp_path)


def test_inaccurate_cvxpy_reference_falls_back_to_the_newton_backend(stl_data, monkeypatch):
    """A cvxpy entropy answer whose own KKT residual is above REFERENCE_KKT does not
    certify an exact row: the ladder goes on and ends at the fast backend."""
    from featreuse.solvers import convex
    X, y = stl_data
    res = train_single(X, y, init=1e-1)
    calls = []
    real = convex.implicit_bias

    def loose(*args, backend="fast", **kw):
        out = real(*args, backend=backend, **kw)
        calls.append(backend)
        if backend == "cvxpy":
            out.certificate = 10 * reference_solver.REFERENCE_KKT  # as a loose Clarabel stop
        return out
    monkeypatch.setattr(convex, "implicit_bias", loose)
    cert = distance_to_program("stl", res, X, y, init=1e-1)
    assert calls == ["cvxpy"] * len(reference_solver.SOLVER_LADDER) + ["fast"]
    assert cert.info["solver_tol"] == "cvxpy inaccurate: fast" and cert.status == "ok", cert
