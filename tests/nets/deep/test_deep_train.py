"""The deep training loop: stopping rule, MTL's auxiliary weight, typed errors, evaluation."""
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from featreuse.nets.deep.eval import evaluate
from featreuse.nets.deep.models import build_model
from featreuse.nets.deep.representations import layer_activations, representation_metrics
from featreuse.nets.seeding import DEEP_SHUFFLE, stream
from featreuse.nets.deep.task import DeepTask
from featreuse.nets.deep.train import (DeepTrainConfig, batches, mtl_aux_weight, train,
                             train_config_for)
from featreuse.errors import ConvergenceWarning, InputError, InputTypeError

#: 10 classes in the head: the main task reads outputs 3 and 7, the auxiliary task 0, 1, 2
CLASSES = 10


def make_task(n, outputs, seed, size=16):
    """n random images (3, size, size) whose class shifts the mean of one channel."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % len(outputs)
    X = rng.standard_normal((n, 3, size, size)).astype(np.float32)
    X[np.arange(n), y % 3] += 1.5
    return DeepTask(X=X, y=y.astype(np.int64), outputs=tuple(outputs))


def tiny(name="resnet18", seed=0):
    return build_model(name, CLASSES, width=0.0625, seed=seed)


def params_of(model):
    return [p.detach().clone() for p in model.parameters()]


def test_training_stops_at_the_first_epoch_below_tol():
    task = make_task(12, (3, 7), seed=0)
    config = train_config_for("resnet", lr=0.05, tol=0.05, max_epochs=500)
    res = train(tiny(), task, config, seed=1)
    assert res.converged and res.losses[-1] < 0.05
    assert np.all(res.losses[:-1] >= 0.05) and res.epochs == len(res.losses) > 1
    assert res.images == 12 * res.epochs and len(res.aux_losses) == 0


def test_the_epoch_cap_warns_and_reports_not_converged():
    with pytest.warns(ConvergenceWarning, match="max_epochs = 2"):
        res = train(tiny(), make_task(6, (3, 7), seed=0), DeepTrainConfig(tol=1e-9, max_epochs=2))
    assert res.epochs == 2 and not res.converged


@pytest.mark.parametrize("n, n_aux, expected", [(10, 1024, 1 / 8), (128, 49_000, 128 / 49_000),
                                                 (200, 49_000, (200 / 128) / (49_000 / 128)),
                                                 (50, 100, 1.0), (100, 260, 128 / 260),
                                                 (100, 60, 1.0)])
def test_mtl_auxiliary_weight_is_main_batches_over_auxiliary_batches(n, n_aux, expected):
    assert mtl_aux_weight(n, n_aux, 128) == pytest.approx(expected, rel=1e-15)
    if n_aux >= 128:   # LL's form
        assert mtl_aux_weight(n, n_aux) == pytest.approx((n / min(n, 128)) / (n_aux / 128))


def reference_mtl_epoch(model, main, aux, config, seed, weight):
    """One MTL epoch written out: main-task SGD steps, then auxiliary steps with loss * weight."""
    rng = stream(seed, DEEP_SHUFFLE)
    opt = torch.optim.SGD(model.parameters(), lr=config.lr, momentum=config.momentum)
    model.train()
    for task, w in ((main, 1.0), (aux, weight)):
        order = rng.permutation(len(task))
        for idx in batches(order, min(len(task), config.batch_size)):
            logits = model(torch.from_numpy(task.X[idx]))[:, list(task.outputs)]
            loss = F.cross_entropy(logits, torch.from_numpy(task.y[idx]))
            opt.zero_grad()
            (w * loss).backward()
            opt.step()


def test_an_mtl_epoch_is_a_main_pass_then_an_auxiliary_pass_with_weighted_losses():
    main, aux = make_task(6, (3, 7), seed=1), make_task(40, (0, 1, 2), seed=2)
    config = train_config_for("resnet", lr=0.05, batch_size=16, max_epochs=1, tol=1e-9)
    trained, reference, unweighted = tiny(seed=3), tiny(seed=3), tiny(seed=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        res = train(trained, main, config, aux=aux, seed=4)
    B = config.batch_size                       # 6 main images: one batch; 40 auxiliary: 2.5
    reference_mtl_epoch(reference, main, aux, config, seed=4, weight=(6 / 6) / (40 / B))
    for p, q in zip(trained.parameters(), reference.parameters()):
        torch.testing.assert_close(p, q, rtol=1e-5, atol=1e-6)
    reference_mtl_epoch(unweighted, main, aux, config, seed=4, weight=1.0)
    assert len(res.aux_losses) == 1 and res.images == 46
    # with the weight left out the auxiliary steps move the network elsewhere
    gap = max(float((p - q).abs().max()) for p, q in zip(params_of(trained), params_of(unweighted)))
    assert gap > 1e-3


def test_the_last_batch_of_one_joins_the_previous_one():
    sizes = [len(b) for b in batches(np.arange(129), 128)]
    assert sizes == [129]
    assert [len(b) for b in batches(np.arange(257), 128)] == [128, 129]
    assert [len(b) for b in batches(np.arange(200), 128)] == [128, 72]


def test_bad_inputs_raise_typed_errors_before_any_step():
    model = tiny()
    before = params_of(model)
    main = make_task(6, (3, 7), seed=0)
    bad = [
        (dict(task=DeepTask(main.X, main.y, (3, 10))), InputError, "outputs"),
        (dict(task=DeepTask(main.X, main.y + 1, (3, 7))), InputError, r"task.y must lie"),
        (dict(task=DeepTask(main.X[:1], main.y[:1], (3, 7))), InputError, "at least 2"),
        (dict(task=DeepTask(main.X.astype(np.float64), main.y, (3, 7))), InputError, "float32"),
        (dict(aux=make_task(6, (7, 8), seed=1)), InputError, "disjoint"),
        (dict(config=DeepTrainConfig(method="rmsprop")), InputError, "method"),
        (dict(config=DeepTrainConfig(lr=-1.0)), InputError, "lr"),
        (dict(config=DeepTrainConfig(amp="yes")), InputError, "amp"),
        (dict(config={"lr": 0.1}), InputTypeError, "DeepTrainConfig"),
        (dict(device="tpu"), InputError, "device"),
    ]
    if not torch.cuda.is_available():
        bad.append((dict(device="cuda"), InputError, "cuda"))
    for kwargs, error, match in bad:
        args = {"task": main, "config": DeepTrainConfig(), **kwargs}
        with pytest.raises(error, match=match):
            train(model, **args)
    with pytest.raises(InputTypeError, match="model"):
        train(torch.nn.Linear(3, 3), main)
    for p, q in zip(model.parameters(), before):
        assert torch.equal(p, q)


def test_mixed_precision_and_channels_last_paths_run_on_the_cpu():
    model = tiny()
    config = train_config_for("resnet", amp=True, channels_last=True, max_epochs=2, tol=1e-9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        res = train(model, make_task(8, (3, 7), seed=0), config)
    assert res.amp and res.channels_last and np.all(np.isfinite(res.losses))
    assert model.stage1[0].conv1.weight.is_contiguous(memory_format=torch.channels_last)
    auto = train_config_for("resnet", max_epochs=1, tol=10.0)
    res = train(tiny(), make_task(8, (3, 7), seed=0), auto)
    assert not res.amp and not res.channels_last    # "auto" is off on the CPU


def test_evaluate_reads_the_task_outputs_in_eval_mode_and_restores_the_mode():
    model = tiny("vit")
    model.train()
    task = make_task(9, (3, 7), seed=5, size=32)
    result = evaluate(model, task, batch_size=4)
    assert model.training
    model.eval()
    with torch.no_grad():
        logits = model(torch.from_numpy(task.X))[:, [3, 7]]
    assert result.accuracy == float((logits.argmax(1).numpy() == task.y).mean())
    assert result.loss == pytest.approx(float(F.cross_entropy(logits, torch.from_numpy(task.y))),
                                        rel=1e-5)


def test_metrics_in_train_mode_leave_the_network_unchanged():
    model = tiny()
    model(torch.randn(5, 3, 16, 16))                   # non-trivial running statistics
    model.eval()
    state = {k: v.clone() for k, v in model.state_dict().items()}
    X = make_task(10, (3, 7), seed=6).X
    metrics = representation_metrics(model, X, reference=model, mode="train", batch_size=4)
    assert not model.training
    for k, v in model.state_dict().items():
        assert torch.equal(v, state[k]), k
    # a network against itself: ENSD = PR and overlap = 1 / PR in every layer
    np.testing.assert_allclose(metrics.ensd, metrics.pr, rtol=1e-9)
    np.testing.assert_allclose(metrics.overlap * metrics.pr, 1.0, rtol=1e-9)
    assert metrics.layers == list(model.representation_layers()) and metrics.images == 20
    # train mode normalises each batch with its own statistics: the batches matter
    a = layer_activations(model, X, mode="train", batch_size=4)["stem"]
    b = layer_activations(model, X, mode="train", batch_size=10)["stem"]
    c = layer_activations(model, X, mode="eval", batch_size=4)["stem"]
    assert not torch.allclose(a, b)
    torch.testing.assert_close(c, layer_activations(model, X, mode="eval", batch_size=10)["stem"])
