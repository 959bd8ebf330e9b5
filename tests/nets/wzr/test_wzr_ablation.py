"""The nonlinear shared-module model of the alignment ablation (WZR Algorithm 1, docs/wzr.md)."""
import numpy as np
import pytest
import torch

from featreuse import nets
from featreuse.nets.wzr.ablation import (align_tasks, finetune_target, module_features,
                                         module_inputs, predict, train_mtl)
from featreuse.nets.wzr.ablation_model import features, module_tensors, tensor


def _tasks(seed=0, D=10, d=6, n=(40, 20)):
    """Two +-1 tasks on Gaussian inputs (n_i, D), each with its own embedding (D, d)."""
    rng = np.random.default_rng(seed)
    Xs = [rng.standard_normal((m, D)) for m in n]
    ys = [np.sign(X[:, 0] + 0.5 * X[:, i + 1]) for i, X in enumerate(Xs)]
    return Xs, ys, rng.standard_normal((len(n), D, d)) / np.sqrt(D)


def _same(a, b):
    return all(np.array_equal(getattr(a, k), getattr(b, k)) for k in vars(a))


def test_identity_alignment_reproduces_the_mtl_predictions_exactly():
    Xs, ys, E = _tasks()
    net = train_mtl(Xs, ys, E, 8, steps=40, seed=1)
    assert np.array_equal(net.R, np.repeat(np.eye(6)[None], 2, axis=0))
    for i, X in enumerate(Xs):
        # the model without an alignment module at all: relu(relu(X E W1 + b1) W2 + b2) a + c
        Z = tensor(X @ E[i], "cpu")
        with torch.no_grad():
            plain = (features(Z, module_tensors(net, "cpu")) @ tensor(net.heads[i], "cpu")
                     + float(net.offsets[i])).numpy()
        assert np.array_equal(predict(net, X, i), plain)
        assert np.array_equal(module_inputs(net, X, i), X @ E[i])


def test_alignment_and_head_finetuning_leave_the_shared_module_and_embeddings_unchanged():
    Xs, ys, E = _tasks(1)
    net = train_mtl(Xs, ys, E, 8, steps=20, seed=0)
    aligned = align_tasks(net, Xs, ys, steps=60)
    head = finetune_target(net, 1, Xs[1], ys[1], what="head", steps=30)
    for fit in (aligned, head):
        assert all(np.array_equal(a, b) for a, b in zip(fit.module(), net.module()))
        assert np.array_equal(fit.embeddings, net.embeddings)
    # alignment trains every R_i and head; head finetuning only the target's head
    assert all(not np.array_equal(R, np.eye(6)) for R in aligned.R)
    assert np.array_equal(head.R, net.R) and np.array_equal(head.heads[0], net.heads[0])
    assert not np.array_equal(head.heads[1], net.heads[1])
    # finetuning module and head changes the module, not the other task's head or any R
    tuned = finetune_target(net, 1, Xs[1], ys[1], what="all", steps=30)
    assert not np.array_equal(tuned.W1, net.W1)
    assert np.array_equal(tuned.heads[0], net.heads[0]) and np.array_equal(tuned.R, net.R)


def test_alignment_lowers_the_training_loss_of_an_unfinished_mtl_model():
    Xs, ys, E = _tasks(2)
    net = train_mtl(Xs, ys, E, 8, steps=15, seed=0)

    def loss(fit):
        return sum(np.sum((predict(fit, X, i) - y) ** 2) for i, (X, y) in enumerate(zip(Xs, ys)))

    assert loss(align_tasks(net, Xs, ys, steps=100)) < 0.5 * loss(net)


def test_the_same_seed_gives_bit_identical_results_and_another_seed_does_not():
    Xs, ys, E = _tasks(3)
    a, b = (train_mtl(Xs, ys, E, 8, steps=30, seed=5) for _ in range(2))
    assert _same(a, b)
    assert _same(align_tasks(a, Xs, ys, steps=30), align_tasks(b, Xs, ys, steps=30))
    assert _same(finetune_target(a, 0, Xs[0], ys[0], "all", steps=30),
                 finetune_target(b, 0, Xs[0], ys[0], "all", steps=30))
    assert not np.array_equal(train_mtl(Xs, ys, E, 8, steps=30, seed=6).W1, a.W1)


def test_a_first_layer_narrower_than_the_embedding_hides_part_of_r():
    # with width h < d, R -> R + K (K W1 = 0) changes the aligned inputs but no prediction:
    # their CovSim is not identified (the config refuses width < embed_dim); with h >= d
    # and W1 of rank d no such K exists
    Xs, ys, E = _tasks(4)
    narrow = train_mtl(Xs, ys, E, 4, steps=20, seed=0)
    K = np.random.default_rng(0).standard_normal((6, 6)) @ (np.eye(6) - narrow.W1 @
                                                           np.linalg.pinv(narrow.W1))
    moved = narrow.updated(R=narrow.R + K[None])
    assert np.allclose(predict(moved, Xs[0], 0), predict(narrow, Xs[0], 0), atol=1e-12)
    assert not np.allclose(module_inputs(moved, Xs[0], 0), module_inputs(narrow, Xs[0], 0))
    wide = train_mtl(Xs, ys, E, 8, steps=20, seed=0)
    assert np.linalg.matrix_rank(wide.W1) == 6


def test_features_are_what_the_heads_read():
    Xs, ys, E = _tasks(5)
    net = train_mtl(Xs, ys, E, 8, steps=20, seed=0)
    F = module_features(net, Xs[1], 1)
    assert F.shape == (20, 8) and (F >= 0).all()
    assert np.allclose(F @ net.heads[1] + net.offsets[1], predict(net, Xs[1], 1), atol=1e-12)


def test_bad_input_is_named():
    Xs, ys, E = _tasks(6)
    with pytest.raises(nets.InputError, match=r"embeddings must have shape \(2, 10, d\)"):
        train_mtl(Xs, ys, E[:1], 8)
    with pytest.raises(nets.InputError, match="width must be >= 1"):
        train_mtl(Xs, ys, E, 0)
    with pytest.raises(nets.InputError, match="steps must be >= 1"):
        train_mtl(Xs, ys, E, 8, steps=0)
    with pytest.raises(nets.InputError, match="lr must be > 0"):
        train_mtl(Xs, ys, E, 8, lr=0.0)
    with pytest.raises(nets.InputError, match=r"Xs\[1\] has 9 columns but Xs\[0\] has 10"):
        train_mtl([Xs[0], Xs[1][:, :9]], ys, E, 8)
    net = train_mtl(Xs, ys, E, 8, steps=2)
    with pytest.raises(nets.InputError, match="task must be < k = 2"):
        finetune_target(net, 2, Xs[0], ys[0])
    with pytest.raises(nets.InputError, match="what must be one of"):
        finetune_target(net, 0, Xs[0], ys[0], what="module")
    with pytest.raises(nets.InputError, match="Xs has 1 tasks but the net has 2"):
        align_tasks(net, Xs[:1], ys[:1])
    with pytest.raises(nets.InputError, match="X has 9 columns but the embeddings read D = 10"):
        predict(net, Xs[0][:, :9], 0)
