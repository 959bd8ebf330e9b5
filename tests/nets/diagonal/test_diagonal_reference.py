"""LL's torch loop for diagonal networks, and what the solver comparison asks of it besides:
restarts at lr / 10 on divergence, per-sample weights and weight decay, a deadline, the
wall time of the recorded iterates."""
import time

import numpy as np
import pytest
import torch

from featreuse.errors import DivergenceError, InputError
from featreuse.nets.diagonal.reference import reference_gd_multi, reference_gd_single


def _data(n=6, D=10, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, D))
    return X, X[:, 0] - 0.5 * X[:, 3]


def test_a_diverging_run_restarts_from_the_init_at_a_tenth_of_the_rate():
    X, y = _data()
    init = np.full((4, 10), 0.5)
    out = reference_gd_single(X, y, init, lr=20.0, tol=1e-8, max_steps=2000, max_restarts=4,
                              diverge_at=100.0)
    assert out["restarts"] >= 1 and out["lr"] == pytest.approx(20.0 / 10 ** out["restarts"])
    again = reference_gd_single(X, y, init, lr=out["lr"], tol=1e-8, max_steps=2000)
    np.testing.assert_array_equal(out["params"], again["params"])
    assert out["steps"] == again["steps"] and out["converged"] == again["converged"]
    with pytest.raises(DivergenceError, match="lr: gradient descent still diverged"):
        reference_gd_single(X, y, init, lr=20.0, max_steps=2000, max_restarts=0,
                            diverge_at=100.0)


def test_without_a_divergence_check_it_is_lls_loop():
    X, y = _data()
    out = reference_gd_single(X, y, np.full((4, 10), 0.5), lr=20.0, tol=1e-8, max_steps=50)
    assert out["restarts"] == 0 and out["status"] == "max_steps" and not out["converged"]


def test_records_and_their_wall_times_and_the_deadline():
    X, y = _data()
    init = np.full((4, 10), 0.1)
    out = reference_gd_single(X, y, init, lr=0.1, tol=0.0, max_steps=30, record_steps=[1, 7, 30])
    assert sorted(out["records"]) == sorted(out["record_wall_s"]) == [1, 7, 30]
    np.testing.assert_array_equal(out["records"][30], out["params"])
    walls = [out["record_wall_s"][k] for k in (1, 7, 30)]
    assert walls == sorted(walls) and out["status"] == "max_steps"
    late = reference_gd_single(X, y, init, lr=0.1, tol=0.0, max_steps=30,
                               deadline=time.perf_counter() - 1.0)
    assert late["timed_out"] and late["steps"] == 0 and late["status"] == "timeout"


def test_sample_weights_of_one_over_n_are_lls_mse():
    Xa, ya = _data(5, 8, 1)
    Xm, ym = _data(3, 8, 2)
    init = np.full((3, 2, 8), 0.2)
    kw = dict(lr=0.1, tol=0.0, max_steps=40)
    mse = reference_gd_multi([Xa, Xm], [ya, ym], init, **kw)
    weighted = reference_gd_multi([Xa, Xm], [ya, ym], init, sample_weights=[1 / 8, 1 / 8], **kw)
    np.testing.assert_allclose(weighted["params"], mse["params"], rtol=1e-12, atol=1e-15)
    assert weighted["loss"] == pytest.approx(mse["loss"], rel=1e-12)


def test_weight_decay_stops_on_the_squared_gradient_norm():
    Xa, ya = _data(5, 8, 1)
    Xm, ym = _data(3, 8, 2)
    init = np.full((3, 2, 8), 0.5)
    out = reference_gd_multi([Xa, Xm], [ya, ym], init, lr=0.5, tol=1e-10, max_steps=20_000,
                             sample_weights=[0.125, 0.125], weight_decay=0.1)
    assert out["converged"] and out["loss"] > 1e-3  # weight decay keeps a data loss
    params = [torch.nn.Parameter(torch.tensor(b)) for b in out["params"]]
    w = params[0]
    loss = sum(0.125 * torch.sum((torch.tensor(X) @ (w[0] * v[0] - w[1] * v[1])
                                  - torch.tensor(y)) ** 2)
               for X, y, v in zip([Xa, Xm], [ya, ym], params[1:]))
    (loss + 0.1 * sum(torch.sum(p * p) for p in params)).backward()
    assert sum(float(torch.sum(p.grad ** 2)) for p in params) < 1e-10
    with pytest.raises(InputError, match="weight_decay"):
        reference_gd_multi([Xa, Xm], [ya, ym], init, weight_decay=-1.0)


def test_threads_are_restored():
    X, y = _data()
    before = torch.get_num_threads()
    reference_gd_single(X, y, np.full((4, 10), 0.1), max_steps=3, threads=1)
    assert torch.get_num_threads() == before
