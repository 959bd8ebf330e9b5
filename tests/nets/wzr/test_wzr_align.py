"""WZR Algorithm 1 (covariance alignment) and its transfer variant."""
import numpy as np
import pytest
import torch

from featreuse import nets
from featreuse.nets.wzr.align import align_covariances, finetune_with_alignment
from featreuse.nets.wzr.lbfgs import minimise
from featreuse.nets.wzr.model import predict


def _covsim(X1, X2):
    """WZR's score with full coverage: sqrt(tr(S1 S2) / (tr S1 tr S2)), S_i = X_i^T X_i."""
    S1, S2 = X1.T @ X1, X2.T @ X2
    return np.sqrt(np.trace(S1 @ S2) / (np.trace(S1) * np.trace(S2)))


def _misaligned(seed, D=4, n=60):
    """Two tasks with high variance on different coordinates; each label reads its own one."""
    rng = np.random.default_rng(seed)
    X1 = rng.standard_normal((n, D)) * np.array([5.0, 1.0, 1.0, 1.0])
    X2 = rng.standard_normal((n, D)) * np.array([1.0, 5.0, 1.0, 1.0])
    return [X1, X2], [X1[:, 0], X2[:, 1]]


def test_alignment_through_a_module_that_fits_neither_task_raises_covsim():
    # B reads coordinate 2, which neither label uses: alignment routes each task's signal
    # through span(B), so both aligned covariances gain variance along B
    Xs, ys = _misaligned(0)
    B = np.eye(4)[:, [2]]
    fit = align_covariances(Xs, ys, B)
    before, after = _covsim(*Xs), _covsim(*fit.aligned_inputs(Xs))
    assert after > before + 0.2
    assert fit.objective < 1e-6 * fit.objective_before


def test_alignment_stays_along_the_module_and_never_increases_the_objective():
    rng = np.random.default_rng(1)
    D, r = 6, 2
    Xs = [rng.standard_normal((m, D)) * rng.uniform(0.5, 2.0, D) for m in (15, 40)]
    ys = [X @ rng.standard_normal(D) + 0.1 * rng.standard_normal(len(X)) for X in Xs]
    B = np.linalg.qr(rng.standard_normal((D, r)))[0]
    fit = align_covariances(Xs, ys, B)
    assert fit.objective <= fit.objective_before
    for R in fit.R:       # R_i - I = U_i B^T: rank <= r, zero on the complement of span(B)
        assert np.linalg.matrix_rank(R - np.eye(D), tol=1e-8) <= r
        assert np.allclose((R - np.eye(D)) @ (np.eye(D) - B @ B.T), 0.0, atol=1e-10)


def test_a_gradient_step_on_u_is_a_gradient_step_on_r():
    # R = I + U B^T with B^T B = I: dL/dU B^T = dL/dR, so gradient descent on U moves R as
    # gradient descent on R itself would (the parametrisation of nets.wzr.align)
    rng = np.random.default_rng(2)
    D, r, n = 6, 2, 9
    X, y = torch.tensor(rng.standard_normal((n, D))), torch.tensor(rng.standard_normal(n))
    B = torch.tensor(np.linalg.qr(rng.standard_normal((D, r)))[0])
    a = torch.tensor(rng.standard_normal(r))
    for activation in ("linear", "relu"):
        U = torch.tensor(rng.standard_normal((D, r)), requires_grad=True)
        torch.sum((predict(X, B, a, activation, U) - y) ** 2).backward()
        R = (torch.eye(D, dtype=torch.float64) + U.detach() @ B.T).requires_grad_(True)
        H = X @ R @ B
        torch.sum(((torch.relu(H) if activation == "relu" else H) @ a - y) ** 2).backward()
        assert np.allclose((U.grad @ B.T).numpy(), R.grad.numpy(), atol=1e-12)


def test_training_u_takes_the_steps_of_training_the_full_alignment_matrix():
    # an under-determined target (n < D): where training ends depends on its path; training
    # R itself (D x D) with the same L-BFGS ends at the same predictor as training U
    rng = np.random.default_rng(7)
    D = 6
    X = rng.standard_normal((3, D))
    y = X @ rng.standard_normal(D)
    B = np.linalg.qr(rng.standard_normal((D, 1)))[0]
    head = np.linalg.lstsq(X @ B, y, rcond=None)[0]
    fit = finetune_with_alignment(X, y, B, head=head, max_iter=40, tol=1e-13)
    Xt, yt, Bt = (torch.tensor(v) for v in (X, y, B))
    R = torch.eye(D, dtype=torch.float64, requires_grad=True)
    a = torch.tensor(head, requires_grad=True)
    minimise([R, a], lambda: torch.sum((Xt @ R @ Bt @ a - yt) ** 2) / float(y @ y), 40, 1e-13)
    w = fit.R[0] @ B @ fit.heads[0]
    assert np.allclose(w, (R @ Bt @ a).detach().numpy(), atol=1e-8)
    assert np.linalg.norm(w - B @ head) > 1e-2      # alignment moved the predictor


def test_transfer_variant_interpolates_and_moves_only_within_the_inputs_and_module():
    rng = np.random.default_rng(3)
    D = 8
    X = rng.standard_normal((4, D))
    y = X @ rng.standard_normal(D)
    B = np.linalg.qr(rng.standard_normal((D, 1)))[0]
    head = np.linalg.lstsq(X @ B, y, rcond=None)[0]
    fit = finetune_with_alignment(X, y, B, head=head, tol=1e-12)
    w = fit.R[0] @ B @ fit.heads[0]
    assert np.sum((X @ w - y) ** 2) < 1e-12 * (y @ y)
    # w - B a0 = B (a - a0) + U a, U's columns in the row space of X: a change within
    # span(B) + rows of X (5 of 8 dimensions), which a generic interpolant leaves
    change = w - B @ head
    basis = np.hstack([B, X.T])
    assert np.allclose(basis @ np.linalg.lstsq(basis, change, rcond=None)[0], change, atol=1e-8)
    assert np.linalg.norm(change) > 1e-3


def test_relu_alignment_lowers_the_objective():
    rng = np.random.default_rng(4)
    D = 5
    Xs = [rng.standard_normal((30, D)) for _ in range(2)]
    ys = [np.maximum(X @ rng.standard_normal(D), 0.0) for X in Xs]
    B = np.abs(rng.standard_normal((D, 2)))
    fit = align_covariances(Xs, ys, B, activation="relu")
    assert fit.activation == "relu" and fit.objective < fit.objective_before


def test_bad_input_is_named():
    Xs, ys = _misaligned(5)
    with pytest.raises(nets.InputError, match="B has 3 rows but the inputs have D = 4"):
        align_covariances(Xs, ys, np.ones((3, 1)))
    with pytest.raises(nets.InputError, match=r"heads must have shape \(2, 1\)"):
        align_covariances(Xs, ys, np.ones((4, 1)), heads=np.ones((2, 2)))
    with pytest.raises(nets.InputError, match=r"Xs\[1\] has 3 columns but Xs\[0\] has 4"):
        align_covariances([Xs[0], Xs[1][:, :3]], ys, np.ones((4, 1)))
