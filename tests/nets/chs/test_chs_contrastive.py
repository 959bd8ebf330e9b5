"""The shared-layer gradient after a one-step head update as a sum over pairs (docs/chs.md)."""
import numpy as np
import pytest
import torch

from featreuse.nets.chs.contrastive import pair_gradient, pair_weights
from featreuse.nets.chs.rounds import sample_round
from featreuse.nets.chs.steps import head_step, task_losses
from featreuse.nets.chs.tasks import make_chs_tasks
from featreuse.errors import InputError


def _autograd_gradient(W, data, head_lr):
    """grad_W of the shared-step loss with heads from torch's own one-step head update."""
    t = lambda a: torch.as_tensor(a, dtype=torch.float64)  # noqa: E731
    A = head_step(t(W), t(data.X_head), t(data.Y_head), head_lr)
    Wv = t(W).requires_grad_(True)
    loss = task_losses(Wv, A, t(data.X_shared), t(data.Y_shared)).mean()
    (grad,) = torch.autograd.grad(loss, Wv)
    return grad.numpy()


@pytest.mark.parametrize("shared_inputs", [False, True])
def test_pair_sum_equals_autograd(shared_inputs):
    tasks = make_chs_tasks(0, 3, d=6, r=2)
    rng = np.random.default_rng(1)
    W = rng.standard_normal((5, 6))
    data = sample_round(rng, tasks, 7, 4, shared_inputs)
    for head_lr in (0.3, 5.0):                      # small heads, and saturating margins
        expected = _autograd_gradient(W, data, head_lr)
        got = pair_gradient(W, data.X_head, data.Y_head, data.X_shared, data.Y_shared, head_lr)
        assert np.abs(expected).max() > 1e-3
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-14)


def test_shared_inputs_weigh_pairs_by_label_products_across_tasks():
    # as the heads vanish, c_tj -> 1/2 and K_ij -> (1/2) sum_t y_t(x_i) y_t(x'_j)
    tasks = make_chs_tasks(2, 4, d=5, r=2)
    rng = np.random.default_rng(3)
    W = rng.standard_normal((6, 5))
    data = sample_round(rng, tasks, 5, 3, shared_inputs=True)
    K = pair_weights(W, data.X_head, data.Y_head, data.X_shared, data.Y_shared, 1e-9).sum(axis=0)
    label_products = tasks.labels(data.X_head[0]).T @ tasks.labels(data.X_shared[0])
    # c_tj = 1/2 - z_tj/4 + O(z^3) with |z_tj| ~ head_lr: K is 0.5 x label products to ~1e-9
    np.testing.assert_allclose(K, 0.5 * label_products, rtol=0, atol=1e-8)
    assert set(np.unique(label_products)) <= {-4.0, -2.0, 0.0, 2.0, 4.0}


def test_mixed_per_task_and_shared_inputs_are_refused():
    tasks = make_chs_tasks(0, 2, d=4, r=2)
    rng = np.random.default_rng(0)
    per_task, shared = (sample_round(rng, tasks, 3, 3, s) for s in (False, True))
    with pytest.raises(InputError, match="must both be per task or both shared"):
        pair_gradient(np.ones((2, 4)), per_task.X_head, per_task.Y_head, shared.X_shared,
                      shared.Y_shared, 1.0)
