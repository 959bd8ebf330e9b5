"""The stacked trainer against LL's one-network loop, and the protocol both follow."""
import warnings

import numpy as np
import pytest
import torch

from featreuse import nets
from featreuse.nets.relu.epochs import EpochOrders
from featreuse.nets.relu.loop import batch_loss


def _solo(run, config):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", nets.ConvergenceWarning)
        return nets.train_one(run, config, dtype=torch.float64)


def _assert_same(stacked, one):
    for field in ("epochs", "steps", "restarts", "converged", "stopped_at_max", "lr"):
        assert getattr(stacked, field) == getattr(one, field), field
    for field in ("W", "a"):
        ours, ref = getattr(stacked, field), getattr(one, field)
        np.testing.assert_allclose(ours, ref, rtol=1e-6, atol=1e-6 * np.abs(ref).max())
    np.testing.assert_allclose(stacked.loss, one.loss, rtol=1e-6)


@pytest.fixture
def mixed_runs(config, teacher, stl):
    Xa, ya = nets.aux_data(0, teacher, 24)
    X, y = nets.main_data(9, teacher=teacher, n=10)
    W2, a2 = nets.init_params([9], config, n_tasks=2)
    W_pre = nets.init_params([10], config)[0][0] * 300
    return [
        stl(0, 20, 1.0),
        stl(1, 40, 0.5),
        stl(2, 64, 1.0),
        stl(3, 16, 1.0, max_epochs=40),  # its own epoch limit
        stl(4, 40, 20.0),  # diverges, restarts at lr/10
        nets.mtl_run(Xa, ya, X, y, W2[0], a2[0], seed=9, config=config),
        nets.ptft_run(W_pre, X, y, 0.1, seed=11, config=config, train="readout"),
        nets.ptft_run(W_pre, X, y, 1.0, seed=12, config=config, lr=0.3),
        nets.pretrain_run(Xa, ya, *(p[0] for p in nets.init_params([13], config)), config),
    ]


def test_stacked_equals_one_network_at_a_time(mixed_runs, config):
    config = nets.ReluConfig(**{**config.__dict__, "batch_size": 16})   # 1 to 4 batches
    res = nets.train_stacked(mixed_runs, config, dtype=torch.float64)
    for m, run in enumerate(mixed_runs):
        _assert_same(res.network(m), _solo(run, config))
    # The protocol was exercised: an early stop while others went on, restarts, the limit.
    assert res.converged[7] and res.epochs[7] < res.epochs[1] == config.max_epochs
    assert res.stopped_at_max[3] and res.epochs[3] == 40
    assert res.restarts[4] >= 1 and res.lr[4] == pytest.approx(20.0 / 10 ** res.restarts[4])
    assert res.stopped_at_max.any() and not res.failed.any()
    # Readout-only finetuning leaves W as it started, bit for bit.
    assert np.array_equal(res.W[6], mixed_runs[6].W0)
    # GD takes no step from a point below tol: steps = epochs - converged.
    assert res.steps[8] == res.epochs[8] - int(res.converged[8])


def test_full_batch_stack_keeps_its_layout_through_stops_and_restarts(config, teacher):
    # Only full-batch runs: the epoch is laid out once and kept through a restart, and laid
    # out again when a run stops (the positions change).
    Xa, ya = nets.aux_data(0, teacher, 24)
    W0, a0 = nets.init_params([13, 14, 15], config)
    runs = [nets.pretrain_run(Xa[:n], ya[:n], W0[m], a0[m], config)
            for m, n in enumerate((24, 16, 20))]
    runs[1] = nets.RunSpec(runs[1].Xs, runs[1].ys, runs[1].W0, runs[1].a0, 40.0,
                           full_batch=True, max_epochs=config.max_pretrain_steps)  # diverges
    runs[2] = nets.RunSpec(runs[2].Xs, runs[2].ys, runs[2].W0, runs[2].a0, runs[2].lr,
                           full_batch=True, max_epochs=25)                        # stops early
    res = nets.train_stacked(runs, config, dtype=torch.float64)
    assert res.restarts[1] >= 1 and res.stopped_at_max[2] and res.epochs[0] > 25
    for m, run in enumerate(runs):
        _assert_same(res.network(m), _solo(run, config))


def test_chunking_does_not_change_the_runs(mixed_runs, config):
    runs = mixed_runs[:4] + mixed_runs[5:7]
    small = nets.ReluConfig(**{**config.__dict__, "max_epochs": 30})
    runs = [nets.RunSpec(r.Xs, r.ys, r.W0, r.a0, r.lr, r.shuffle_seed, r.train, r.full_batch,
                         max_epochs=30) for r in runs]
    one_by_one = nets.train_stacked(runs, small, dtype=torch.float64, chunk_bytes=1)
    together = nets.train_stacked(runs, small, dtype=torch.float64, chunk_bytes=None)
    np.testing.assert_allclose(one_by_one.W, together.W, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(one_by_one.a, together.a, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(one_by_one.epochs, together.epochs)


def test_batch_loss_weights_each_task_by_its_share():
    rng = np.random.default_rng(0)
    W, a = rng.standard_normal((6, 3)), rng.standard_normal((2, 6))
    net = nets.ReluNet(torch.tensor(W), torch.tensor(a))
    X, y = rng.standard_normal((5, 3)), rng.standard_normal(5)
    out = np.maximum(X @ W.T, 0) @ a.T
    fractions = [0.3, 0.7]
    tasks = np.array([0, 1, 1, 0, 1])
    expected = sum(fractions[t] * np.mean((out[tasks == t, t] - y[tasks == t]) ** 2)
                   for t in (0, 1))
    got = batch_loss(net, torch.tensor(X), torch.tensor(y), tasks, fractions).item()
    assert got == pytest.approx(expected, rel=1e-13)
    only_main = np.array([1, 1, 1, 1, 1])                    # task 0 absent: counts 0
    got = batch_loss(net, torch.tensor(X), torch.tensor(y), only_main, fractions).item()
    assert got == pytest.approx(0.7 * np.mean((out[:, 1] - y) ** 2), rel=1e-13)


def test_mtl_epoch_loss_follows_the_formula_in_both_trainers(config):
    # 2 aux + 9 main samples in batches of 4, 4, 3: most batches miss the aux task.
    rng = np.random.default_rng(1)
    Xa, ya = rng.standard_normal((2, 12)), rng.standard_normal(2)
    Xm, ym = rng.standard_normal((9, 12)), rng.standard_normal(9)
    W0, a0 = rng.standard_normal((30, 12)), rng.standard_normal((2, 30))
    config = nets.ReluConfig(**{**config.__dict__, "batch_size": 4})
    # A step of lr 1e-300 changes no weight: the epoch loss is that of (W0, a0).
    run = nets.RunSpec((Xa, Xm), (ya, ym), W0, a0, lr=1e-300, shuffle_seed=5, max_epochs=1)
    X, y = np.concatenate([Xa, Xm]), np.concatenate([ya, ym])
    tasks = np.array([0, 0] + [1] * 9)
    out = np.maximum(X @ W0.T, 0) @ a0.T
    order = EpochOrders(5, 11).next()
    losses = []
    for b in range(3):
        idx = order[4 * b:4 * b + 4]
        losses.append(sum(n_t / 11 * np.mean((out[idx][tasks[idx] == t, t]
                                              - y[idx][tasks[idx] == t]) ** 2)
                          for t, n_t in ((0, 2), (1, 9)) if np.any(tasks[idx] == t)))
    assert any(not np.any(tasks[order[4 * b:4 * b + 4]] == 0) for b in range(3))
    one = _solo(run, config)
    stacked = nets.train_stacked([run], config, dtype=torch.float64).network(0)
    assert one.loss == pytest.approx(np.mean(losses), rel=1e-12)
    assert stacked.loss == pytest.approx(np.mean(losses), rel=1e-12)
    assert np.array_equal(stacked.W, W0) and np.array_equal(one.W, W0)


def test_a_run_that_stops_at_max_epochs_says_so(config, stl):
    run = stl(0, 20, 1.0, max_epochs=3)
    with pytest.warns(nets.ConvergenceWarning, match="max_epochs = 3"):
        one = nets.train_one(run, config, dtype=torch.float64)
    assert not one.converged and one.stopped_at_max and one.epochs == 3 and one.loss > config.tol
    res = nets.train_stacked([run], config, dtype=torch.float64)
    assert res.stopped_at_max[0] and not res.converged[0] and res.epochs[0] == 3


def test_divergence_after_all_restarts(config, stl):
    config = nets.ReluConfig(**{**config.__dict__, "max_restarts": 1})
    bad = stl(0, 20, 1e4, max_epochs=20)
    good = stl(1, 20, 1.0, max_epochs=20)
    with pytest.raises(nets.DivergenceError, match="max_restarts = 1"):
        nets.train_one(bad, config, dtype=torch.float64)
    res = nets.train_stacked([bad, good], config, dtype=torch.float64)
    assert res.failed[0] and res.restarts[0] == 1 and np.isnan(res.loss[0])
    assert not res.converged[0] and not res.stopped_at_max[0]
    assert not res.failed[1]
    _assert_same(res.network(1), _solo(good, config))


def test_the_device_is_checked_before_any_work(config, stl, monkeypatch):
    run = stl(0, 8, 1.0)
    with pytest.raises(nets.InputError, match="device"):
        nets.train_one(None, config, device="tpu")
    with pytest.raises(nets.InputError, match="device"):
        nets.train_stacked(None, config, device="cuda:x")
    with pytest.raises(nets.InputTypeError, match="device"):
        nets.resolve_device(0)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    for train in (nets.train_one, nets.train_stacked):
        with pytest.raises(nets.InputError, match="is_available"):
            train(run if train is nets.train_one else [run], config, device="cuda")
    assert nets.resolve_device("cpu") == torch.device("cpu")


def test_bad_runs_raise_typed_errors_naming_the_argument(config, teacher):
    X, y = nets.main_data(0, teacher=teacher, n=8)
    W0, a0 = nets.init_params([0], config)
    with pytest.raises(nets.InputError, match="a0"):
        nets.RunSpec((X,), (y,), W0[0], np.zeros((2, config.K)), lr=1.0)
    with pytest.raises(nets.InputError, match=r"Xs\[0\]"):
        nets.RunSpec((X[:, :5],), (y,), W0[0], a0[0], lr=1.0)
    with pytest.raises(nets.InputError, match=r"ys\[0\]"):
        nets.RunSpec((X,), (y[:5],), W0[0], a0[0], lr=1.0)
    with pytest.raises(nets.InputError, match="train"):
        nets.RunSpec((X,), (y,), W0[0], a0[0], lr=1.0, train="hidden")
    with pytest.raises(nets.InputError, match="lr"):
        nets.RunSpec((X,), (y,), W0[0], a0[0], lr=-1.0)
    run = nets.RunSpec((X,), (y,), W0[0], a0[0], lr=1.0)
    wide = nets.RunSpec((X,), (y,), np.zeros((31, 12)), np.zeros((1, 31)), lr=1.0)
    with pytest.raises(nets.InputError, match=r"runs\[1\]"):
        nets.train_stacked([run, wide], config)
    with pytest.raises(nets.InputTypeError, match=r"runs\[1\]"):
        nets.train_stacked([run, "run"], config)
    with pytest.raises(nets.InputError, match="dtype"):
        nets.train_one(run, config, dtype=torch.float16)
    with pytest.raises(nets.InputError, match="chunk_bytes"):
        nets.train_stacked([run], config, chunk_bytes=0)
    with pytest.raises(nets.InputTypeError, match="config"):
        nets.train_stacked([run], config={"K": 30})
