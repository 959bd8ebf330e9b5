"""WZR Prop. 1 and Prop. 3: closed forms of the linear shared-module model against ALS."""
import numpy as np
import pytest
import scipy.linalg
from threadpoolctl import threadpool_limits

from featreuse.errors import InputError, InputTypeError
from featreuse.solvers.wzr.als import fit_shared_module_als
from featreuse.solvers.wzr.single_task import single_task_fit, single_task_solutions
from featreuse.solvers.wzr.span import optimal_objective, optimal_shared_span


@pytest.fixture(autouse=True)
def one_thread():
    with threadpool_limits(1):
        yield


def _tasks(seed, k=3, D=6, n=(40, 25, 60), noise=0.5):
    """k tasks with their own inputs (different covariances) and noisy labels."""
    rng = np.random.default_rng(seed)
    Xs = [rng.standard_normal((m, D)) * rng.uniform(0.5, 2.0, D) for m in n[:k]]
    ys = [X @ rng.standard_normal(D) + noise * rng.standard_normal(len(X)) for X in Xs]
    return Xs, ys


def _shared(seed, k=4, D=8, n=50, noise=0.3):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, D)) * rng.uniform(0.5, 2.0, D)
    return X, [X @ rng.standard_normal(D) + noise * rng.standard_normal(n) for _ in range(k)]


def _angle(B1, B2):
    """Largest principal angle (radians) between the column spans of B1 and B2."""
    return float(np.max(scipy.linalg.subspace_angles(B1, B2)))


@pytest.mark.parametrize("extra", [0, 2])
def test_prop1_capacity_k_gives_every_task_its_own_solution(extra):
    # r >= k tasks: an optimum is each task's least-squares fit (no transfer)
    Xs, ys = _tasks(0)
    fit = fit_shared_module_als(Xs, ys, r=len(Xs) + extra, starts=3, tol=1e-14)
    own = single_task_solutions(Xs, ys)
    assert np.allclose(fit.predictors, own, rtol=0, atol=1e-7 * np.abs(own).max())
    assert fit.objective == pytest.approx(single_task_fit(Xs, ys).objective, rel=1e-10)


def test_prop1_closed_form_with_shared_inputs():
    X, ys = _shared(1)
    own = np.stack([np.linalg.lstsq(X, y, rcond=None)[0] for y in ys], axis=1)
    for r in (len(ys), len(ys) + 3):
        assert np.allclose(optimal_shared_span(X, ys, r).predictors, own, atol=1e-10)


def test_capacity_below_k_constrains_the_tasks():
    # below k the shared module cannot hold every task's solution: a strictly worse fit
    X, ys = _shared(2)
    own = single_task_fit([X] * len(ys), ys).objective
    objs = [optimal_objective(X, ys, r) for r in range(1, len(ys) + 1)]
    assert all(a > b for a, b in zip(objs, objs[1:]))          # more capacity, better fit
    assert objs[-1] == pytest.approx(own, rel=1e-10) and objs[-2] > own * (1 + 1e-3)


@pytest.mark.parametrize("r", [1, 2])
def test_prop3_span_is_the_als_optimum(r):
    X, ys = _shared(3)
    closed = optimal_shared_span(X, ys, r)
    als = fit_shared_module_als([X] * len(ys), ys, r, starts=4, seed=1, tol=1e-15,
                                max_iter=20000)
    # two formulas for the minimum (eigenvalues of M; residuals at the returned point) and ALS
    assert closed.objective == pytest.approx(optimal_objective(X, ys, r), rel=1e-12)
    assert als.objective == pytest.approx(closed.objective, rel=1e-10)
    assert _angle(als.B, closed.B) < 1e-5
    assert np.allclose(als.predictors, closed.predictors, atol=1e-5)
    # every start of ALS reaches the same value: local minima are global (WZR)
    assert np.ptp(als.start_objectives) <= 1e-8 * closed.objective


def test_task_weight_two_equals_the_task_twice():
    X, ys = _shared(4, k=3)
    weighted = optimal_shared_span(X, ys, 1, weights=[2.0, 1.0, 1.0])
    doubled = optimal_shared_span(X, [ys[0]] + ys, 1)
    assert _angle(weighted.B, doubled.B) < 1e-8
    assert weighted.objective == pytest.approx(doubled.objective, rel=1e-12)


def test_als_keeps_the_best_of_its_starts():
    Xs, ys = _tasks(5)
    fit = fit_shared_module_als(Xs, ys, 1, starts=5, seed=2)
    assert fit.objective == pytest.approx(fit.start_objectives.min(), rel=1e-14)
    # the returned objective is the residual at the returned (B, heads)
    res = sum(np.sum((X @ fit.B @ a - y) ** 2) for X, y, a in zip(Xs, ys, fit.heads))
    assert fit.objective == pytest.approx(res, rel=1e-12)
    assert np.allclose(fit.B.T @ fit.B, np.eye(1))


def test_bad_input_names_the_task_or_argument():
    Xs, ys = _tasks(6)
    Xs[2] = np.ones((60, 7))
    with pytest.raises(InputError, match=r"Xs\[2\] has 7 columns but Xs\[0\] has 6"):
        fit_shared_module_als(Xs, ys, 1)
    Xs, ys = _tasks(6)
    for bad in (0, -1):
        with pytest.raises(InputError, match="r must be >= 1"):
            fit_shared_module_als(Xs, ys, bad)
    with pytest.raises(InputTypeError, match="r must be an integer"):
        fit_shared_module_als(Xs, ys, 1.5)
    with pytest.raises(InputError, match=r"weights\[1\] must be > 0"):
        fit_shared_module_als(Xs, ys, 1, weights=[1.0, 0.0, 1.0])
    with pytest.raises(InputError, match="weights has 2 entries but there are 3 tasks"):
        single_task_fit(Xs, ys, weights=[1.0, 1.0])


def test_closed_form_needs_a_nonsingular_covariance():
    rng = np.random.default_rng(7)
    X = rng.standard_normal((5, 8))                       # n < D: X^T X singular
    ys = [rng.standard_normal(5), rng.standard_normal(5)]
    with pytest.raises(InputError, match=r"X has rank 5 < D = 8 .*singular"):
        optimal_shared_span(X, ys, 1)
    X = rng.standard_normal((30, 4))
    X = np.hstack([X, X[:, :1]])                          # repeated column
    with pytest.raises(InputError, match="X has rank 4 < D = 5"):
        optimal_objective(X, [X[:, 0]], 1)
    with pytest.raises(InputError, match=r"ys\[1\] has 29 entries but X has 30 rows"):
        optimal_shared_span(X[:, :4], [X[:, 0], X[1:, 0]], 1)
    with pytest.raises(InputError, match="r must be >= 1"):
        optimal_shared_span(X[:, :4], [X[:, 0]], 0)
