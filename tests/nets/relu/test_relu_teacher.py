"""LL's ReLU teacher and data: geometry of the units, input norms, seeds and nesting."""
import numpy as np
import pytest

from featreuse import nets


def test_aux_units_are_orthonormal_with_unit_readout_norm():
    t = nets.make_teacher(3, D=15, n_main_units=6)
    G = t.aux_units @ t.aux_units.T
    np.testing.assert_allclose(G, np.eye(6), atol=1e-12)
    np.testing.assert_allclose(np.abs(t.aux_readout), 1 / np.sqrt(6), rtol=1e-15)
    np.testing.assert_allclose(np.abs(t.main_readout), 1 / np.sqrt(6), rtol=1e-15)


def test_main_units_have_cosine_rho_with_their_aux_unit_only():
    rho = np.array([1.0, 0.9, 0.5, 0.0, -0.3])
    t = nets.make_teacher(1, D=15, n_main_units=5, rho=rho)
    np.testing.assert_allclose(np.linalg.norm(t.main_units, axis=1), 1.0, rtol=1e-12)
    expected = np.zeros((5, 6))
    expected[np.arange(5), np.arange(5)] = rho
    np.testing.assert_allclose(t.main_units @ t.aux_units.T, expected, atol=1e-12)


def test_targets_are_the_relu_network_of_the_units():
    t = nets.make_teacher(2, D=13, n_main_units=2, rho=0.7, magnitude=0.1)
    X = np.random.default_rng(0).standard_normal((7, 13))
    y = np.array([sum(t.main_readout[k] * max(0.0, t.main_units[k] @ x) for k in range(2))
                  for x in X])
    np.testing.assert_allclose(t.main(X), y, rtol=1e-13)
    np.testing.assert_allclose(np.abs(t.main_readout), 0.1 / np.sqrt(2), rtol=1e-15)


def test_inputs_have_squared_norm_D():
    t = nets.make_teacher(0, D=15)
    for X in (nets.aux_data(0, t, 64)[0], nets.main_data(0, teacher=t, n=32)[0],
              nets.held_out_inputs(0, 15, 50)):
        np.testing.assert_allclose(np.sum(X ** 2, axis=1), 15.0, rtol=1e-13)


def test_main_data_is_prefix_nested_in_n():
    t = nets.make_teacher(4, D=15, n_main_units=3, rho=0.5)
    X16, y16 = nets.main_data(4, teacher=t, n=16)
    X64, y64 = nets.main_data(4, teacher=t, n=64)
    np.testing.assert_array_equal(X64[:16], X16)
    np.testing.assert_array_equal(y64[:16], y16)


def test_main_data_takes_the_teacher_and_n_by_keyword_only():
    t = nets.make_teacher(4, D=15)
    with pytest.raises(TypeError):
        nets.main_data(4, t, 8)  # positionally, seed and teacher could be swapped


def test_streams_are_independent_and_the_aux_task_is_shared():
    base = nets.make_teacher(5, D=15, n_main_units=6, rho=0.9)
    other = nets.make_teacher(5, D=15, n_main_units=2, rho=0.1, magnitude=0.5)
    # Auxiliary teacher and data do not depend on the main task.
    np.testing.assert_array_equal(base.aux_units, other.aux_units)
    np.testing.assert_array_equal(base.aux_readout, other.aux_readout)
    np.testing.assert_array_equal(nets.aux_data(5, base, 20)[1], nets.aux_data(5, other, 20)[1])
    # The 2-unit main task is a prefix of the 6-unit one (signs; units at rho = 1 agree).
    np.testing.assert_array_equal(np.sign(other.main_readout), np.sign(base.main_readout[:2]))
    # Main inputs do not depend on the teacher; the four data streams differ.
    np.testing.assert_array_equal(nets.main_data(5, teacher=base, n=8)[0],
                                  nets.main_data(5, teacher=other, n=8)[0])
    Xa, Xm = nets.aux_data(5, base, 8)[0], nets.main_data(5, teacher=base, n=8)[0]
    Xt = nets.held_out_inputs(5, 15, 8)
    assert not np.allclose(Xa, Xm) and not np.allclose(Xm, Xt) and not np.allclose(Xa, Xt)
    assert not np.allclose(nets.make_teacher(6, D=15).aux_units, base.aux_units)


def test_bad_teacher_arguments_name_the_argument():
    with pytest.raises(nets.InputError, match="D must be"):
        nets.make_teacher(0, D=10, n_main_units=6)
    with pytest.raises(nets.InputError, match="rho"):
        nets.make_teacher(0, D=15, n_main_units=2, rho=[0.5, 1.5])
    with pytest.raises(nets.InputError, match="rho"):
        nets.make_teacher(0, D=15, n_main_units=2, rho=[0.5, 0.5, 0.5])
    with pytest.raises(nets.InputTypeError, match="seed"):
        nets.make_teacher(1.5, D=15)
    with pytest.raises(nets.InputError, match="X must have D"):
        nets.make_teacher(0, D=15).main(np.ones((3, 4)))
