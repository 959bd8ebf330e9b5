"""Bad input raises a typed error naming the argument."""
import numpy as np
import pytest

import solvers
from tests.solvers.conftest import make_problem

X, y, _ = make_problem(10, 20, k=2, seed=0)


@pytest.mark.parametrize("kwargs, match", [
    (dict(X=X[:, :, None]), "X must be 2-dimensional"),
    (dict(y=y[:-1]), "y has 9 entries"),
    (dict(X=np.where(np.eye(10, 20) > 0, np.nan, X)), "X contains NaN"),
    (dict(y=np.full(10, np.inf)), "y contains NaN or inf"),
    (dict(init=0.0), "init must be > 0"),
    (dict(init=-1e-3), "init must be > 0"),
    (dict(init=np.ones((3, 20))), r"init must be a scalar or an array of shape \(4, 20\)"),
    (dict(method="adam"), "method must be one of"),
    (dict(train="first"), "train must be one of"),
    (dict(lr=0.0, method="gd"), "lr must be > 0"),
    (dict(times=[2.0, 1.0]), "times"),
])
def test_train_single_bad_input(kwargs, match):
    args = dict(X=X, y=y)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match) as info:
        solvers.train_single(args.pop("X"), args.pop("y"), **args)
    assert isinstance(info.value, solvers.FeatreuseError)


def test_type_errors():
    with pytest.raises(TypeError, match="X must be an array"):
        solvers.train_single("abc", y)
    with pytest.raises(TypeError, match="max_steps must be an integer"):
        solvers.train_single(X, y, method="gd", max_steps=1.5)


def test_train_multi_bad_input():
    with pytest.raises(ValueError, match="Xs and ys must be non-empty lists of equal length"):
        solvers.train_multi([X], [y, y])
    with pytest.raises(ValueError, match=r"Xs\[1\] has 19 columns"):
        solvers.train_multi([X, X[:, :19]], [y, y])
    with pytest.raises(ValueError, match="weight_decay must be >= 0"):
        solvers.train_multi([X, X], [y, y], weight_decay=-1.0)
    with pytest.raises(ValueError, match="task_weights"):
        solvers.train_multi([X, X], [y, y], task_weights=[1.0, -1.0])


def test_finetune_bad_input():
    pre = solvers.train_single(X, y, init=0.1)
    with pytest.raises(ValueError, match="X has 5 columns"):
        solvers.finetune(pre, X[:, :5], y)
    with pytest.raises(ValueError, match="rescale must be > 0"):
        solvers.finetune(pre, X, y, rescale=0.0)
    with pytest.raises(ValueError, match="train must be one of"):
        solvers.finetune(pre, X, y, train="head")
