"""CHS's alternating algorithm: batched vs per-task loop, determinism, closed-form heads."""
import dataclasses

import numpy as np
import pytest
import torch

from featreuse.nets.chs.config import ChsTrainConfig
from featreuse.nets.chs.contrastive import one_step_heads
from featreuse.nets.chs.loop import train_chs_loop
from featreuse.nets.chs.rounds import sample_round
from featreuse.nets.seeding import CHS_ROUNDS, stream
from featreuse.nets.chs.tasks import make_chs_tasks
from featreuse.nets.chs.train import init_weights, train_chs
from featreuse.errors import InputError, InputTypeError

SMALL = ChsTrainConfig(width=9, rounds=6, head_samples=25, shared_samples=15, head_lr=5.0,
                       lr=1.0, weight_decay=0.1)


@pytest.mark.parametrize("shared_inputs", [False, True])
def test_batched_update_equals_the_per_task_loop(shared_inputs):
    tasks = make_chs_tasks(1, 4, d=11, r=3)
    config = dataclasses.replace(SMALL, shared_inputs=shared_inputs)
    batched, loop = train_chs(tasks, config, seed=1), train_chs_loop(tasks, config, seed=1)
    np.testing.assert_allclose(batched.W, loop.W, rtol=0, atol=1e-12)
    np.testing.assert_allclose(batched.heads, loop.heads, rtol=0, atol=1e-12)
    np.testing.assert_allclose(batched.losses, loop.losses, rtol=1e-12)
    np.testing.assert_array_equal(batched.W0, loop.W0)
    assert not np.allclose(batched.W, batched.W0)   # training moved W


def test_a_run_is_a_deterministic_function_of_its_seed():
    tasks = make_chs_tasks(2, 3, d=8, r=2)
    a, b = train_chs(tasks, SMALL, seed=5), train_chs(tasks, SMALL, seed=5)
    np.testing.assert_array_equal(a.W, b.W)
    c = train_chs(tasks, SMALL, seed=6)
    assert not np.allclose(a.W, c.W)
    np.testing.assert_array_equal(a.W0, init_weights(5, SMALL.width, 8, SMALL.init_scale))


def test_last_heads_are_one_step_from_zero_at_the_last_rounds_w():
    # replay the rounds: the last heads are the closed form (eta / 2 n1) sum_i y_i ReLU(W x_i)
    tasks = make_chs_tasks(3, 3, d=7, r=2)
    config = dataclasses.replace(SMALL, rounds=3)
    before = train_chs(tasks, dataclasses.replace(config, rounds=2), seed=3)
    last = train_chs(tasks, config, seed=3)
    rng = stream(3, CHS_ROUNDS)
    for _ in range(3):
        data = sample_round(rng, tasks, config.head_samples, config.shared_samples)
    expected = one_step_heads(before.W, data.X_head, data.Y_head, config.head_lr)
    np.testing.assert_allclose(last.heads, expected, rtol=1e-12, atol=1e-14)


def test_without_weight_decay_and_with_tiny_steps_w_barely_moves():
    tasks = make_chs_tasks(0, 2, d=6, r=2)
    config = dataclasses.replace(SMALL, weight_decay=0.0, head_lr=1e-6, lr=1e-6)
    res = train_chs(tasks, config, seed=0)
    np.testing.assert_allclose(res.W, res.W0, atol=1e-9)
    # the logistic loss at (almost) zero heads is log 2
    np.testing.assert_allclose(res.losses, np.log(2), rtol=1e-6)


def test_bad_input_raises_typed_errors():
    tasks = make_chs_tasks(0, 2, d=6, r=2)
    with pytest.raises(InputError, match="width must be >= 1"):
        train_chs(tasks, dataclasses.replace(SMALL, width=0))
    with pytest.raises(InputError, match="lr \\* weight_decay must be <= "):
        train_chs(tasks, dataclasses.replace(SMALL, lr=2.0, weight_decay=0.5))
    with pytest.raises(InputTypeError, match="shared_inputs must be a bool"):
        train_chs(tasks, dataclasses.replace(SMALL, shared_inputs=1))
    with pytest.raises(InputTypeError, match="tasks must be a ChsTasks"):
        train_chs(np.eye(3), SMALL)
    with pytest.raises(InputError, match="device must be"):
        train_chs(tasks, SMALL, device="tpu")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_run_equals_the_cpu_run():
    tasks = make_chs_tasks(1, 5, d=12, r=3)
    cpu, gpu = train_chs(tasks, SMALL, seed=1), train_chs(tasks, SMALL, seed=1, device="cuda")
    np.testing.assert_allclose(gpu.W, cpu.W, rtol=0, atol=1e-12)
