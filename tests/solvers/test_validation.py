"""Bad input raises a typed error naming the argument."""
import numpy as np
import pytest

from featreuse import solvers
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


@pytest.mark.parametrize("kwargs, match", [
    (dict(X=X + 0j), "X must be real, got complex128"),
    (dict(y=y.astype(np.complex64)), "y must be real, got complex64"),
    (dict(init=np.full((4, 20), 0.1 + 0j)), "init must be real, got complex128"),
    (dict(init=0.1 + 0j), "init must be a real number, got complex"),
    (dict(y=np.array([1.0, 2j] + [0.0] * 8, dtype=object)),
     "y must be real, got an entry of type complex"),
    (dict(y=np.array([1.0, None] + [0.0] * 8, dtype=object)),
     "y must be an array of numbers, got an entry of type NoneType"),
    (dict(y=np.array(["1"] * 10)), "y must be an array of numbers, got dtype <U1"),
])
def test_complex_and_non_numeric_input_raise_type_errors(kwargs, match):
    """numpy would drop the imaginary part (ComplexWarning) or read None as NaN."""
    args = dict(X=X, y=y)
    args.update(kwargs)
    with pytest.raises(solvers.InputTypeError, match=match):
        solvers.train_single(args.pop("X"), args.pop("y"), **args)


def test_complex_input_of_every_trainer_raises_type_error():
    with pytest.raises(solvers.InputTypeError, match=r"Xs\[1\] must be real"):
        solvers.train_multi([X, X + 0j], [y, y])
    with pytest.raises(solvers.InputTypeError, match="X must be real"):
        solvers.finetune(np.full((4, 20), 0.1), X + 0j, y)
    with pytest.raises(solvers.InputTypeError, match="times must be real"):
        solvers.train_single(X, y, times=[1.0 + 0j])


def test_object_array_of_numbers_is_accepted():
    as_objects = np.array(y.tolist(), dtype=object)
    a = solvers.train_single(X, as_objects, init=0.1)
    b = solvers.train_single(X, y, init=0.1)
    np.testing.assert_array_equal(a.beta, b.beta)


def test_negative_init_entries_raise_with_their_index():
    """Arrays follow the scalar rule: pathway weights are >= 0 (zeros allowed)."""
    init = np.full((4, 20), 0.1)
    init[2, 7] = -1e-3
    with pytest.raises(solvers.InputError, match=r"init must be >= 0.*-0.001 at index \(2, 7\)"):
        solvers.train_single(X, y, init=init)
    with pytest.raises(solvers.InputError, match=r"inits\[1\] must be >= 0.*index \(2, 7\)"):
        solvers.train_single_batch(X, y, [0.1, init])
    pre = np.full((4, 20), 0.1)
    pre[0, 3] = -0.2  # a first-layer entry survives the rescale
    with pytest.raises(solvers.InputError, match=r"pretrained must be >= 0.*index \(0, 3\)"):
        solvers.finetune(pre, X, y, rescale=0.5)
    # zero entries are allowed: w- = v- = 0 makes beta >= 0 (sign-constrained coordinates)
    init[2] = init[3] = 0.0
    y_pos = X @ np.abs(make_problem(10, 20, k=2, seed=0)[2])
    r = solvers.train_single(X, y_pos, init=init)
    assert r.converged and np.all(r.beta >= 0)
