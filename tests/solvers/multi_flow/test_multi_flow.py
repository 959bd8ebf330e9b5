"""Tests of the multi-task gradient-flow integrator (solvers.multi_flow).

Each test checks the integrator against something independent of it: the
conservation law of the flow, small-step gradient descent, the single-task
closed form integrated in its n-dimensional reduced variable, first-order
stationarity, and the balance identity of weight-decay stationary points.
"""
import numpy as np
import pytest
from scipy.integrate import solve_ivp

from featreuse.solvers.diagonal import beta_multi, conserved_multi
from featreuse.errors import ConvergenceWarning, InputError, InputTypeError
from featreuse.solvers.multi_flow import MultiFlowResult, multi_flow
from featreuse.solvers.train import train_multi


def _problem(seed=0, D=12, ns=(10, 5)):
    """Two small tasks with sparse teachers sharing one coordinate."""
    rng = np.random.default_rng(seed)
    Xs = [rng.standard_normal((n, D)) for n in ns]
    b_aux = np.zeros(D)
    b_aux[:3] = 1.0
    b_main = np.zeros(D)
    b_main[2:5] = [1.0, -1.0, 0.5]
    ys = [Xs[0] @ b_aux, Xs[1] @ b_main]
    return Xs, ys, np.full(2, 1.0 / sum(ns))


def _gradient(Xs, ys, omega, lam, P):
    """Plain numpy gradient of sum_t omega_t ||X_t beta_t - y_t||^2 + lam ||P||^2."""
    grad = 2.0 * lam * P
    for t, (X, y) in enumerate(zip(Xs, ys)):
        beta = P[0, 0] * P[1 + t, 0] - P[0, 1] * P[1 + t, 1]
        g = 2.0 * omega[t] * X.T @ (X @ beta - y)
        grad[0, 0] += g * P[1 + t, 0]
        grad[0, 1] -= g * P[1 + t, 1]
        grad[1 + t, 0] += g * P[0, 0]
        grad[1 + t, 1] -= g * P[0, 1]
    return grad


def _gd(Xs, ys, omega, init, lr, t_end):
    """Full-batch GD with learning rate lr for round(t_end / lr) steps."""
    P = init.copy()
    for _ in range(int(round(t_end / lr))):
        P -= lr * _gradient(Xs, ys, omega, 0.0, P)
    return P


def test_conservation_along_trajectory_scales_with_rtol():
    Xs, ys, om = _problem()
    init = np.full((3, 2, 12), 0.1)
    c0 = conserved_multi(init)
    errors = []
    for rtol in (1e-6, 1e-8, 1e-10):
        err, scale = 0.0, 0.0
        for t_end in (2.0, 10.0, 50.0):  # before, during and after the fast learning phase
            res = multi_flow(Xs, ys, init, om, rtol=rtol, times=[t_end])
            assert res.converged and res.info["final_time"] == t_end
            err = max(err, np.abs(conserved_multi(res.params) - c0).max())
            scale = max(scale, np.abs(res.params).max() ** 2)
        # w^2 - sum_t v_t^2 is exact along the flow: only the integration error remains.
        assert err <= rtol * scale
        errors.append(err)
    assert errors[0] > errors[1] > errors[2]


def test_trajectory_agrees_with_small_step_gd_linearly_in_lr():
    Xs, ys, om = _problem(seed=1)
    init = np.full((3, 2, 12), 0.1)
    t_end = 20.0
    flow = multi_flow(Xs, ys, init, om, rtol=1e-10, times=[t_end])
    B = flow.trajectory[-1]
    assert np.allclose(B, beta_multi(flow.params))
    diffs = []
    for lr in (0.02, 0.01, 0.005):
        Bgd = beta_multi(_gd(Xs, ys, om, init, lr, t_end))
        diffs.append(np.linalg.norm(Bgd - B) / np.linalg.norm(B))
    # GD is a first-order discretisation of the flow: halving lr halves the gap.
    for a, b in zip(diffs, diffs[1:]):
        assert 1.8 < a / b < 2.2
    assert diffs[-1] < 1e-3


def test_end_interpolates_and_is_the_limit():
    Xs, ys, om = _problem(seed=2)
    res = multi_flow(Xs, ys, 0.1, om, tol=1e-12)
    assert isinstance(res, MultiFlowResult)
    assert res.converged and res.loss < 1e-12
    B = beta_multi(res.params)
    for t in range(2):
        assert np.linalg.norm(Xs[t] @ B[:, t] - ys[t]) < 1e-5 * np.linalg.norm(ys[t])
    # Integrating further from the returned end barely moves beta: it is the flow's limit
    # up to the stated tail-jump error.
    later = multi_flow(Xs, ys, res.params, om, times=[10 * res.info["final_time"]])
    move = np.linalg.norm(beta_multi(later.params) - B) / np.linalg.norm(B)
    assert move < 10 * res.info["jump_error"] + 1e-9


def test_weight_decay_end_is_stationary_and_balanced():
    Xs, ys, om = _problem(seed=3)
    lam = 0.01
    tol = 1e-16
    res = multi_flow(Xs, ys, 0.1, om, weight_decay=lam, tol=tol)
    assert res.converged
    grad = _gradient(Xs, ys, om, lam, res.params)
    assert np.sum(grad ** 2) < tol
    assert np.isclose(np.linalg.norm(grad), res.info["grad_norm"], rtol=1e-6)
    # At a stationary point w * dw - sum_t v_t * dv_t = 2 lam (w^2 - sum_t v_t^2) vanishes:
    # |imbalance| <= ||theta|| ||grad|| / (2 lam) per coordinate.
    imbalance = np.abs(conserved_multi(res.params))
    bound = np.abs(res.params).max() * np.sqrt(tol) * 3 / (2 * lam)
    assert imbalance.max() < bound
    assert res.loss > 0  # weight decay keeps it off the interpolating set


def _single_task_reduced(X, y, init, times, t_big):
    """Exact single-task flow through its reduced variable p (n,) (docs/theory.md).

    beta = A e^z - B e^-z, z = (4/n) X^T p, dp/dt = y - X beta, with A, B from the init.
    """
    n = X.shape[0]
    wp, wm = init[0]
    vp, vm = init[1]
    A = ((wp + vp) ** 2 + (wm - vm) ** 2) / 4
    B = ((wp - vp) ** 2 + (wm + vm) ** 2) / 4

    def beta(p):
        z = 4.0 / n * X.T @ p
        return A * np.exp(z) - B * np.exp(-z)

    def rhs(_t, p):
        return y - X @ beta(p)

    def jac(_t, p):
        z = 4.0 / n * X.T @ p
        return -(X * (A * np.exp(z) + B * np.exp(-z))) @ X.T * (4.0 / n)

    sol = solve_ivp(rhs, (0, t_big), np.zeros(n), method="Radau", jac=jac, rtol=1e-12,
                    atol=1e-14, t_eval=np.append(times, t_big))
    return np.array([beta(p) for p in sol.y.T])


def test_single_task_matches_exact_flow():
    rng = np.random.default_rng(4)
    n, D = 8, 15
    X = rng.standard_normal((n, D))
    y = X @ np.where(np.arange(D) < 3, 1.0, 0.0)
    init = rng.uniform(0.05, 0.2, size=(2, 2, D))  # unequal weights: general A, B
    times = np.array([1.0, 5.0, 20.0])
    ref = _single_task_reduced(X, y, init, times, 1e5)
    res = multi_flow([X], [y], init, [1.0 / n], rtol=1e-10, times=times)
    for i in range(times.size):
        rel = np.linalg.norm(res.trajectory[i, :, 0] - ref[i]) / np.linalg.norm(ref[i])
        assert rel < 1e-8
    end = multi_flow([X], [y], init, [1.0 / n], tol=1e-14)
    assert end.converged
    rel = np.linalg.norm(beta_multi(end.params)[:, 0] - ref[-1]) / np.linalg.norm(ref[-1])
    assert rel < 1e-9  # the tail jump is exact up to second order: here ~1e-10


def test_zero_time_and_max_steps_warning():
    Xs, ys, om = _problem()
    res = multi_flow(Xs, ys, 0.1, om, times=[0.0, 1.0])
    assert np.allclose(res.trajectory[0], 0.0)  # beta = w v - w v = 0 at equal init
    with pytest.warns(ConvergenceWarning):
        res = multi_flow(Xs, ys, 0.1, om, max_steps=3)
    assert not res.converged and res.steps <= 3


@pytest.mark.parametrize("kwargs, error, word", [
    (dict(init=np.ones((2, 2, 12))), InputError, "init"),
    (dict(sample_weights=[1.0]), InputError, "sample_weights"),
    (dict(sample_weights=[1.0, -1.0]), InputError, "sample_weights"),
    (dict(weight_decay=-1.0), InputError, "weight_decay"),
    (dict(weight_decay="a"), InputTypeError, "weight_decay"),
    (dict(times=[2.0, 1.0]), InputError, "times"),
    (dict(times=[-1.0]), InputError, "times"),
    (dict(tol=0.0), InputError, "tol"),
    (dict(rtol=-1e-8), InputError, "rtol"),
    (dict(max_time=0.0), InputError, "max_time"),
    (dict(max_steps=1.5), InputTypeError, "max_steps"),
    (dict(progress="yes"), InputTypeError, "progress"),
    (dict(atol=-1.0), InputError, "atol"),
])
def test_bad_input_raises_typed_error(kwargs, error, word):
    Xs, ys, om = _problem()
    args = dict(init=0.1, sample_weights=om)
    args.update(kwargs)
    init = args.pop("init")
    weights = args.pop("sample_weights")
    with pytest.raises(error, match=word):
        multi_flow(Xs, ys, init, weights, **args)


def test_bad_data_raises_typed_error():
    Xs, ys, om = _problem()
    with pytest.raises(InputTypeError, match="Xs"):
        multi_flow(Xs[0], ys, 0.1, om)
    with pytest.raises(InputError, match="ys"):
        multi_flow(Xs, [ys[0], ys[1][:-1]], 0.1, om)
    with pytest.raises(InputError, match="Xs"):
        multi_flow([Xs[0], Xs[1][:, :-1]], ys, 0.1, om)


def _tall_problem(seed=5, D=10, ns=(30, 6), noise=0.0, rank=None):
    """A tall task (n > D, compressed to its triangular factor) and a short one."""
    rng = np.random.default_rng(seed)
    Xs = [rng.standard_normal((n, D)) for n in ns]
    if rank is not None:  # rank-deficient tall task: stays uncompressed
        Xs[0] = rng.standard_normal((ns[0], rank)) @ rng.standard_normal((rank, D))
    b = np.zeros(D)
    b[:3] = [1.0, -0.5, 0.8]
    ys = [X @ b + noise * rng.standard_normal(X.shape[0]) for X in Xs]
    return Xs, ys, np.full(2, 1.0 / sum(ns))


def _direct_loss(Xs, ys, om, P):
    B = beta_multi(P)
    return sum(w * np.sum((X @ B[:, t] - y) ** 2) for t, (w, X, y) in enumerate(zip(om, Xs, ys)))


def test_tall_task_compression_is_exact(monkeypatch):
    """Replacing a task with n >= D by its R factor leaves the flow unchanged."""
    import featreuse.solvers.multi_flow.problem as mf
    Xs, ys, om = _tall_problem(noise=0.1)  # y outside range(X): a constant loss part
    assert mf.Problem(Xs, ys, om, 0.0).triangular == [True, False]
    times = np.array([1.0, 10.0, 100.0])
    comp = multi_flow(Xs, ys, 0.1, om, rtol=1e-10, times=times)
    monkeypatch.setattr(mf, "tall_factor", lambda X: None)
    dense = multi_flow(Xs, ys, 0.1, om, rtol=1e-10, times=times)
    rel = np.linalg.norm(comp.trajectory - dense.trajectory) / np.linalg.norm(dense.trajectory)
    assert rel < 1e-8
    # the reported loss includes the part no parameter can fit
    assert comp.loss == pytest.approx(_direct_loss(Xs, ys, om, comp.params), rel=1e-10)
    assert comp.loss == pytest.approx(dense.loss, rel=1e-7)


def test_rank_deficient_tall_task_end():
    """A rank-deficient tall task is kept as is; its kernel is singular and the
    end polish goes through the pseudo-inverse; the end is a stationary point."""
    import featreuse.solvers.multi_flow.problem as mf
    Xs, ys, om = _tall_problem(rank=6)
    assert mf.Problem(Xs, ys, om, 0.0).triangular == [False, False]
    res = multi_flow(Xs, ys, 0.1, om, tol=1e-12)
    assert res.converged and res.info["jump"]
    assert res.loss == pytest.approx(_direct_loss(Xs, ys, om, res.params), rel=1e-10)
    assert res.loss < 1e-12
    grad = _gradient(Xs, ys, om, 0.0, res.params)
    assert np.linalg.norm(grad) < 1e-6


def test_least_squares_end_when_a_task_cannot_be_interpolated():
    """ys[0] outside range(Xs[0]) (n_0 > D, noisy): L < tol is out of reach. The flow
    ends at the least-squares fit (warning, converged=False) rather than at max_steps."""
    Xs, ys, om = _tall_problem(noise=0.1)
    with pytest.warns(ConvergenceWarning,
                      match=r"ys\[0\] is not in the range of Xs\[0\], so the flow ends at the "
                            r"least-squares fit.*tol=1e-10"):
        res = multi_flow(Xs, ys, 0.1, om)
    assert not res.converged and res.info["jump"] and res.steps < 1000
    sol = np.linalg.lstsq(Xs[0], ys[0], rcond=None)[0]
    loss_ls = om[0] * np.sum((Xs[0] @ sol - ys[0]) ** 2)
    assert res.info["least_squares_loss"] == pytest.approx(loss_ls, rel=1e-10)
    assert 0 <= res.loss - loss_ls < 1e-10
    B = beta_multi(res.params)
    assert np.linalg.norm(B[:, 0] - sol) < 1e-6 * np.linalg.norm(sol)  # unique: full column rank
    assert np.linalg.norm(Xs[1] @ B[:, 1] - ys[1]) < 1e-5 * np.linalg.norm(ys[1])


def test_train_multi_flow_and_gd_agree_on_an_uninterpolable_task():
    Xs, ys, _ = _tall_problem(noise=0.1)
    with pytest.warns(ConvergenceWarning, match="least-squares fit"):
        flow = train_multi(Xs, ys, init=0.1, method="flow")
    with pytest.warns(ConvergenceWarning, match="max_steps"):
        gd = train_multi(Xs, ys, init=0.1, method="gd", lr=0.05, max_steps=20_000)
    assert not flow.converged and not gd.converged
    assert np.linalg.norm(flow.beta[:, 0] - gd.beta[:, 0]) < 1e-5 * np.linalg.norm(gd.beta[:, 0])


def test_per_task_weights_round_trip_through_sample_weights():
    """res.sample_weights are per-sample (omega_t = lambda_t / n_t): task_weights =
    res.sample_weights * ns reproduces the run; passing them as task weights does not."""
    Xs, ys, _ = _problem(seed=3)
    ns = np.array([X.shape[0] for X in Xs])
    kw = dict(init=0.1, method="flow")
    res = train_multi(Xs, ys, task_weights=[1.0, 3.0], **kw)
    np.testing.assert_allclose(res.sample_weights, [1.0, 3.0] / ns, rtol=1e-15)
    again = train_multi(Xs, ys, task_weights=res.sample_weights * ns, **kw)
    np.testing.assert_allclose(again.sample_weights, res.sample_weights, rtol=1e-15)
    assert np.linalg.norm(again.beta - res.beta) <= 1e-9 * np.linalg.norm(res.beta)
    wrong = train_multi(Xs, ys, task_weights=res.sample_weights, **kw)  # divides by n_t twice
    assert np.linalg.norm(wrong.beta - res.beta) > 1e-3 * np.linalg.norm(res.beta)


def test_truncated_stage_solve_is_exact_for_its_matrix():
    """After ``prepare(c)``, Kernel.solve inverts ``c I + A_c`` exactly, A_c symmetric
    positive semi-definite: the Gauss-Newton matrix restricted to the kernel's
    eigen-directions with eigenvalue >= W_KEEP c, up to the decomposition's rounding.

    With ``G = J^T W^(1/2) Q_k`` and ``E = Q_k^T Kt Q_k - diag(lam_k)`` (float32 rounding
    for the first decomposition), Woodbury gives ``A_c = G (I - E / c)^(-1) G^T``; it is
    PSD while ``||E|| < c``, which ``prepare`` keeps (a float64 decomposition below)."""
    import featreuse.solvers.multi_flow.gauss_newton as mf
    from featreuse.solvers.multi_flow.problem import Problem
    Xs, ys, om = _tall_problem()
    prob = Problem(Xs, ys, om, 0.0)
    rng = np.random.default_rng(1)
    P0 = rng.uniform(0.01, 1.0, size=(3, 2, 10))
    kern = mf.Kernel(prob, P0)
    # Explicit J^T W^(1/2): columns are _from_samples of the unit vectors.
    BT = np.stack([kern._from_samples(e, 1.0).ravel() for e in np.eye(prob.N)], axis=1)
    Kt = BT.T @ BT
    evals = kern.evals
    scale = np.linalg.norm(Kt, 2)
    E_full = kern.Q.T @ Kt @ kern.Q - np.diag(evals)
    assert np.linalg.norm(E_full, 2) <= 1e-5 * scale  # float32 rounding
    # the estimate guarding the float32 decomposition is within 2x of the true error
    assert 0.5 * np.linalg.norm(E_full, 2) <= kern.eig_error <= np.linalg.norm(E_full, 2)
    for c in (evals[-1] * 10, np.median(evals[evals > 0]), evals[evals > 0].min() / 10,
              1e-3 * kern.eig_error):
        kern.prepare(c)
        evals = kern.evals
        keep = evals >= mf.W_KEEP * c
        assert 0 < keep.sum() or c > evals[-1] / mf.W_KEEP
        Qk = kern.Q[:, keep]
        G = BT @ Qk
        E = Qk.T @ Kt @ Qk - np.diag(evals[keep])
        assert np.linalg.norm(E, 2) <= 2 * mf.F32_MARGIN * c
        A = G @ np.linalg.solve(np.eye(keep.sum()) - E / c, G.T)
        assert np.linalg.eigvalsh(0.5 * (A + A.T)).min() >= -1e-12 * scale
        b = rng.standard_normal(P0.shape)
        u = kern.solve(b, c)
        lhs = c * u.ravel() + A @ u.ravel()
        # backward error (u ~ b / c is large for the smallest c)
        bound = np.linalg.norm(b) + np.linalg.norm(A, 2) * np.linalg.norm(u)
        assert np.linalg.norm(lhs - b.ravel()) < 1e-10 * bound
        # the dropped directions change the exact solve by less than W_KEEP (relative)
        full = BT @ BT.T
        exact = np.linalg.solve(c * np.eye(full.shape[0]) + full, b.ravel())
        assert np.linalg.norm(u.ravel() - exact) <= mf.W_KEEP * np.linalg.norm(exact)
    assert kern.decompositions == 2 and kern.eig_error == 0.0  # float64 for the last c


@pytest.mark.parametrize("lam, max_steps", [(1e-2, 100_000), (1e-3, 100_000), (1e-2, 4000)])
def test_weight_decay_end_certified_by_group_lasso_gap(lam, max_steps):
    """The weight-decayed end (after the Newton polish) minimises the group lasso
    with penalty 2 lambda: its duality gap, an independent certificate, is at
    rounding level.  With 4000 steps the integrator stops short (max_steps) and
    the polish, started from a gradient norm of 3e-5, meets tol."""
    from featreuse.solvers.convex.penalised import group_lasso_certificate
    Xs, ys, om = _problem(seed=3)
    res = multi_flow(Xs, ys, 0.1, om, weight_decay=lam, tol=1e-20, max_steps=max_steps)
    assert res.converged and res.info["newton_steps"] >= 1
    assert res.info["grad_norm"] < 1e-10 and res.info["grad_norm"] < res.info[
        "grad_norm_before_polish"]
    gap = group_lasso_certificate(Xs, ys, beta_multi(res.params), 2 * lam, om)[0]
    assert gap < 1e-12
