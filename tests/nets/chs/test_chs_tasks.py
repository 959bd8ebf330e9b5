"""CHS data model: orthonormal subspace, halfspace labels, seeds and nesting, typed errors."""
import numpy as np
import pytest

from featreuse.nets.chs.tasks import make_chs_tasks, probe_task, random_subspace
from featreuse.errors import InputError, InputTypeError


def test_subspace_is_orthonormal_and_tasks_are_unit_directions():
    t = make_chs_tasks(3, 7, d=20, r=4)
    np.testing.assert_allclose(t.M.T @ t.M, np.eye(4), atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(t.V, axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(t.normals, axis=0), 1.0, rtol=1e-12)
    assert (t.d, t.r, t.tasks) == (20, 4, 7)


def test_labels_depend_on_x_only_through_its_projection_on_the_subspace():
    t = make_chs_tasks(0, 5, d=12, r=3)
    rng = np.random.default_rng(1)
    X = rng.standard_normal((40, 12))
    # moving x orthogonally to col(M) changes no label
    Z = rng.standard_normal((40, 12))
    Z -= Z @ t.M @ t.M.T
    np.testing.assert_array_equal(t.labels(X), t.labels(X + 5 * Z))
    expected = np.where(X @ t.M @ t.V.T >= 0, 1.0, -1.0).T
    np.testing.assert_array_equal(t.labels(X), expected)


def test_per_task_and_shared_inputs_give_the_same_labels_on_equal_inputs():
    t = make_chs_tasks(2, 3, d=6, r=2)
    X = np.random.default_rng(0).standard_normal((1, 9, 6))
    np.testing.assert_array_equal(t.labels(np.repeat(X, 3, axis=0)), t.labels(X))


def test_tasks_are_prefix_nested_and_shared_across_dimensions():
    small, large = make_chs_tasks(4, 3, d=10, r=3), make_chs_tasks(4, 9, d=40, r=3)
    np.testing.assert_array_equal(small.V, large.V[:3])
    np.testing.assert_array_equal(random_subspace(4, 10, 3), small.M)
    # the probe task is on the same subspace and differs from every training task
    p = probe_task(4, large.M)
    assert p.tasks == 1 and np.all(np.abs(large.V @ p.V[0]) < 1 - 1e-6)


def test_a_given_orthonormal_basis_is_used():
    M, _ = np.linalg.qr(np.random.default_rng(0).standard_normal((8, 2)))
    t = make_chs_tasks(0, 2, M=M, d=8)
    np.testing.assert_array_equal(t.M, M)


@pytest.mark.parametrize("kwargs, match", [
    ({"tasks": 2, "d": 3, "r": 4}, "r must be <= d"),
    ({"tasks": 0, "d": 5, "r": 2}, "tasks must be >= 1"),
    ({"tasks": 2, "d": 5}, "d and r must be given"),
    ({"tasks": 2, "M": np.ones((5, 2))}, "M must have orthonormal columns"),
    ({"tasks": 2, "M": np.eye(5)[:, :2] * 1.01}, "M must have orthonormal columns"),
    ({"tasks": 2, "M": np.eye(3, 4)}, "at most as many columns as rows"),
    ({"tasks": 2, "M": np.eye(5)[:, :2], "r": 3}, "r = 3 does not match M"),
])
def test_bad_input_raises_typed_errors_naming_the_argument(kwargs, match):
    with pytest.raises(InputError, match=match):
        make_chs_tasks(0, **kwargs)


def test_bad_types_and_shapes_raise():
    with pytest.raises(InputTypeError, match="tasks must be an integer"):
        make_chs_tasks(0, 2.5, d=5, r=2)
    with pytest.raises(InputError, match="X must have shape"):
        make_chs_tasks(0, 2, d=5, r=2).labels(np.ones((3, 4)))
