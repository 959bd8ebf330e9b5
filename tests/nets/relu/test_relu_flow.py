"""The flow trainer against gradient descent at small steps, a closed form, and its stops."""
import copy

import numpy as np
import pytest
import scipy.linalg
import torch

from featreuse import nets

T_END = 4.0   # flow time of the comparisons (lr * steps of GD)


@pytest.fixture
def big_init(config):
    """Init scale 0.2: the flow moves at once (no saddle to escape), so short runs test it."""
    return nets.ReluConfig(**{**config.__dict__, "sigma": 0.2, "tol": 1e-30})


def _gd(run, lr, config):
    """Full-batch GD to flow time T_END with step ``lr`` (the stacked trainer, float64)."""
    steps = int(round(T_END / lr))
    spec = nets.RunSpec(run.Xs, run.ys, run.W0, run.a0, lr=lr, full_batch=True,
                        train=run.train, max_epochs=steps)
    return nets.train_stacked([spec], config, dtype=torch.float64)


def _flow(run, config, rtol=1e-7):
    """The flow to T_END; lr 1e-6: its SGD fallback never takes over."""
    spec = nets.RunSpec(run.Xs, run.ys, run.W0, run.a0, lr=1e-6, full_batch=True,
                        train=run.train, max_epochs=int(round(T_END / 1e-6)))
    return nets.train_flow([spec], config, rtol=rtol)


def _distance(a, b):
    x = np.concatenate([a.W.ravel(), a.a.ravel()])
    z = np.concatenate([b.W.ravel(), b.a.ravel()])
    return np.linalg.norm(x - z) / np.linalg.norm(z)


def _stl_run(config, teacher):
    X, y = nets.main_data(1, teacher=teacher, n=10)
    W0, a0 = nets.init_params([1], config)
    return nets.stl_run(X, y, W0[0], a0[0], 1, config)


def _mtl_run(config, teacher):
    Xa, ya = nets.aux_data(0, teacher, 20)
    X, y = nets.main_data(3, teacher=teacher, n=8)
    W0, a0 = nets.init_params([3], config, n_tasks=2)
    return nets.mtl_run(Xa, ya, X, y, W0[0], a0[0], seed=3, config=config)


@pytest.mark.parametrize("kind", ["stl", "mtl"])
def test_gradient_descent_converges_to_the_flow(kind, big_init, teacher):
    """Where no sample crosses a kink (positive inputs and hidden weights: every unit
    active throughout) the flow is smooth and GD's distance to it is GD's own
    first-order error: Richardson's extrapolation of GD at steps 0.04 and 0.02 lands
    far closer to the flow than either."""
    run = _mtl_run(big_init, teacher) if kind == "mtl" else _stl_run(big_init, teacher)
    run = nets.RunSpec(tuple(np.abs(X) for X in run.Xs), run.ys, np.abs(run.W0), run.a0,
                       lr=run.lr)
    flow = _flow(run, big_init)
    assert flow.flow_time[0] == pytest.approx(T_END)
    assert all((X @ flow.W[0].T > 0).all() for X in run.Xs)   # no kink was crossed
    coarse, fine = _gd(run, 0.04, big_init), _gd(run, 0.02, big_init)
    d_coarse, d_fine = _distance(coarse, flow), _distance(fine, flow)
    assert d_fine < 0.01 and 1.8 < d_coarse / d_fine < 2.3
    richardson = copy.copy(fine)
    richardson.W, richardson.a = 2 * fine.W - coarse.W, 2 * fine.a - coarse.a
    assert _distance(richardson, flow) < 0.5 * d_fine


def test_the_readout_flow_is_the_closed_form_of_least_squares(big_init, teacher):
    """W frozen: da/dt = -(2/N) H^T (H a - y), solved by a matrix exponential."""
    X, y = nets.main_data(2, teacher=teacher, n=10)
    W0, a0 = nets.init_params([2], big_init)
    run = nets.RunSpec((X,), (y,), W0[0], a0[0], lr=1.0, train="readout", full_batch=True)
    flow = _flow(run, big_init)
    H = np.maximum(X @ W0[0].T, 0.0)
    N = len(y)
    A = -(2.0 / N) * H.T @ H
    b = (2.0 / N) * H.T @ y
    # d/dt [a; 1] = [[A, b], [0, 0]] [a; 1]
    M = np.zeros((A.shape[0] + 1,) * 2)
    M[:-1, :-1], M[:-1, -1] = A, b
    exact = (scipy.linalg.expm(T_END * M) @ np.append(a0[0, 0], 1.0))[:-1]
    np.testing.assert_array_equal(flow.W[0], W0[0])
    assert np.linalg.norm(flow.a[0, 0] - exact) < 1e-3 * np.linalg.norm(exact)


def test_the_loss_never_increases_and_the_run_stops_below_tol(config, stl):
    run = stl(0, 12, 0.1, max_epochs=100_000)
    config = nets.ReluConfig(**{**config.__dict__, "tol": 1e-6})
    res = nets.train_flow([run], config, record_losses=True)
    history = res.loss_history[0]
    assert res.converged[0] and not res.stopped_at_max[0] and res.loss[0] < 1e-6
    assert np.all(np.diff(history) <= 1e-12 * history[:-1])
    assert res.epochs[0] == len(history) and res.flow_time[0] <= res.epochs[0] * 0.1 + 1e-9
    # where the flow's steps would not pay, SGD's are taken: never much dearer than GD
    assert res.steps[0] < res.epochs[0] and res.epoch_equivalents[0] < 1.5 * res.epochs[0]


def test_a_run_that_cannot_reach_tol_stops_at_the_flow_time_of_its_cap(config, stl):
    config = nets.ReluConfig(**{**config.__dict__, "tol": 1e-30})
    res = nets.train_flow([stl(0, 12, 0.1, max_epochs=30)], config)
    assert res.stopped_at_max[0] and not res.converged[0]
    assert res.epochs[0] == 30 and res.flow_time[0] == pytest.approx(30 * 0.1)


def test_bad_arguments_raise_naming_them(config, stl):
    with pytest.raises(nets.InputError, match="dtype"):
        nets.train_flow([stl(0, 12, 0.1)], config, dtype=torch.int32)
    with pytest.raises(nets.InputTypeError, match="runs"):
        nets.train_flow(stl(0, 12, 0.1), config)
    with pytest.raises(nets.InputError, match="rtol"):
        nets.train_flow([stl(0, 12, 0.1)], config, rtol=0.0)
