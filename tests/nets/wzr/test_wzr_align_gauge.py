"""What the linear model of WZR Algorithm 1 can and cannot show (docs/wzr.md, "What the linear
alignment model shows"): the gauge of R_i, the reduction to per-task least squares, the target's
alignment as finetuning, and weight decay's choice of gauge."""
import numpy as np

from featreuse.nets.wzr.align import align_covariances
from featreuse.solvers.wzr.covsim import covariance_similarity

D = 10


def _tasks(seed, k, n):
    """k tasks with different input scales and related parameters, label noise 0.5."""
    rng = np.random.default_rng(seed)
    Xs = [rng.standard_normal((n, D)) * rng.uniform(0.3, 3.0, D) for _ in range(k)]
    theta = rng.standard_normal(D)
    ys = [X @ (theta + 0.3 * rng.standard_normal(D)) + 0.5 * rng.standard_normal(n) for X in Xs]
    return Xs, ys, rng


def _losses(Xs, ys, Rs, B, heads):
    return np.array([np.sum((X @ R @ B @ a - y) ** 2) for X, y, R, a in zip(Xs, ys, Rs, heads)])


def test_covsim_of_the_aligned_inputs_is_not_identified_at_fixed_loss():
    Xs, ys, rng = _tasks(0, 2, 40)
    B = np.linalg.qr(rng.standard_normal((D, 1)))[0]
    fit = align_covariances(Xs, ys, B, tol=1e-12)
    # the loss sees R_i only through R_i B: R_i B B^T, or R_i plus any matrix that kills B,
    # fit exactly as well (measured: equal losses to 6e-16 relative) ...
    kill = rng.standard_normal((D, D)) @ (np.eye(D) - B @ B.T)
    gauges = {"trained": fit.R, "R B B^T": [R @ B @ B.T for R in fit.R],
              "R + G (I - B B^T)": [R + kill for R in fit.R]}
    losses = {name: _losses(Xs, ys, Rs, B, fit.heads) for name, Rs in gauges.items()}
    for value in losses.values():
        assert np.allclose(value, fit.task_losses, rtol=1e-10, atol=0)
    # ... but the score of the aligned inputs is whatever the gauge makes it (measured 0.472,
    # 1.000 (rank one: r = 1) and 0.343)
    score = {name: covariance_similarity(Xs[0] @ Rs[0], Xs[1] @ Rs[1], 1.0)
             for name, Rs in gauges.items()}
    assert abs(score["R B B^T"] - 1.0) < 1e-12
    assert score["trained"] < 0.6 and abs(score["R + G (I - B B^T)"] - score["trained"]) > 0.05
    # the score through the module, CovSim(X_i R_i B), is the same in every gauge
    module = [covariance_similarity(Xs[0] @ Rs[0] @ B, Xs[1] @ Rs[1] @ B, 1.0)
              for Rs in gauges.values()]
    assert np.ptp(module) < 1e-12


def test_the_module_score_is_not_identified_either_once_r_is_2():
    # R_i B -> R_i B G_i, A_i -> G_i^-1 A_i (G_i invertible r x r; reached by
    # R_i -> R_i B G_i B^T + R_i (I - B B^T)) leaves every prediction unchanged, and so the
    # loss; CovSim(X_i R_i B, X_j R_j B) moves with G_i (measured 0.595 -> 0.649). For r = 1,
    # G_i is a scalar, and the score of one-dimensional features is 1 whatever the R_i
    Xs, ys, rng = _tasks(3, 2, 40)
    B = np.linalg.qr(rng.standard_normal((D, 2)))[0]
    fit = align_covariances(Xs, ys, B, tol=1e-12)
    G = np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[3.0, 1.0], [0.0, 0.5]])
    Rs = [R @ B @ g @ B.T + R @ (np.eye(D) - B @ B.T) for R, g in zip(fit.R, G)]
    heads = [np.linalg.solve(g, a) for g, a in zip(G, fit.heads)]
    assert np.allclose(_losses(Xs, ys, Rs, B, heads), fit.task_losses, rtol=1e-10, atol=0)
    before = covariance_similarity(*(X @ R @ B for X, R in zip(Xs, fit.R)), coverage=1.0)
    after = covariance_similarity(*(X @ R @ B for X, R in zip(Xs, Rs)), coverage=1.0)
    assert abs(after - before) > 0.05
    B1 = B[:, :1]
    fit = align_covariances(Xs, ys, B1, tol=1e-12)
    assert abs(covariance_similarity(*(X @ R @ B1 for X, R in zip(Xs, fit.R))) - 1) < 1e-12


def test_with_b_fixed_alignment_is_per_task_least_squares_whatever_r():
    # n_i >= D: R_i B A_i can be any vector, so every task reaches its own least-squares fit
    # and the capacity r does not matter (measured: equal to 4e-16 relative for r = 1, 2, 3;
    # asserted to 1e-9, L-BFGS stopping at a normalised gradient of 1e-12)
    Xs, ys, rng = _tasks(1, 4, 30)
    residual = sum(np.sum((X @ np.linalg.lstsq(X, y, rcond=None)[0] - y) ** 2)
                   for X, y in zip(Xs, ys))
    for r in (1, 2, 3):
        B = np.linalg.qr(rng.standard_normal((D, r)))[0]
        fit = align_covariances(Xs, ys, B, tol=1e-12)
        assert fit.objective_before > 10 * residual
        assert abs(fit.objective - residual) < 1e-9 * residual


def test_an_underdetermined_targets_alignment_is_close_to_finetuning_the_predictor():
    # target n < D: alignment interpolates its data from beta = B a (the MTL predictor), with a
    # change in span(B) + rows(X); finetuning the predictor itself on the target's least squares
    # ends at beta + X^+ (y - X beta), a change in rows(X). Both interpolate; they differ by
    # the span(B) part (measured: distance / finetuning's change 0.019 to 0.073 over 4 seeds)
    for seed in range(4):
        Xs, ys, rng = _tasks(10 + seed, 2, 6)
        B = np.linalg.qr(rng.standard_normal((D, 2)))[0]
        head = np.linalg.lstsq(Xs[0] @ B, ys[0], rcond=None)[0]
        fit = align_covariances(Xs[:1], ys[:1], B, heads=head[None], tol=1e-12)
        beta = B @ head
        aligned = fit.R[0] @ B @ fit.heads[0]
        tuned = beta + np.linalg.pinv(Xs[0]) @ (ys[0] - Xs[0] @ beta)
        assert np.sum((Xs[0] @ aligned - ys[0]) ** 2) < 1e-12 * (ys[0] @ ys[0])
        gap = np.linalg.norm(aligned - tuned) / np.linalg.norm(tuned - beta)
        assert gap < 0.15


def test_weight_decay_picks_the_gauge_where_the_input_score_is_the_module_score():
    # decay w (||R_i||^2 + ||A_i||^2) (w = 1e-4 on the normalised objective) kills R_i off
    # span(B): R_i -> (R_i B) B^T (measured: off-span part 7e-8), and then CovSim(X_i R_i) =
    # CovSim(X_i R_i B): 1 for r = 1 (measured 1 + 2e-16; without decay 0.711), 0.995 for
    # r = 2 (without decay 0.397); the loss rises by 6.9e-4 relative
    Xs, ys, rng = _tasks(2, 2, 40)
    for r in (1, 2):
        B = np.linalg.qr(rng.standard_normal((D, r)))[0]
        plain = align_covariances(Xs, ys, B, tol=1e-10)
        fit = align_covariances(Xs, ys, B, tol=1e-10, weight_decay=1e-4)
        Z = fit.aligned_inputs(Xs)
        assert 0 <= fit.objective - plain.objective < 2e-3 * plain.objective
        assert max(np.linalg.norm(R - R @ B @ B.T) for R in fit.R) < 1e-5
        score = covariance_similarity(*Z, coverage=1.0)
        assert abs(score - covariance_similarity(Z[0] @ B, Z[1] @ B, 1.0)) < 1e-8
        assert score > covariance_similarity(*plain.aligned_inputs(Xs), coverage=1.0) + 0.2
        if r == 1:
            assert abs(score - 1.0) < 1e-9
