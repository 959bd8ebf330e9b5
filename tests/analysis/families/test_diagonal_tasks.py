"""LL's diagonal teacher-student generators: norms, supports, signs, streams."""
import numpy as np
import pytest

from featreuse.analysis.families.diagonal import tasks
from featreuse.errors import InputError, InputTypeError


@pytest.mark.parametrize("seed", [0, 3])
def test_inputs_have_squared_norm_D(seed):
    X = tasks.sample_inputs(tasks.stream(seed, tasks.MAIN_STREAM), 50, 1000)
    assert X.shape == (50, 1000)
    np.testing.assert_allclose(np.sum(X ** 2, axis=1), 1000.0, rtol=1e-12)


@pytest.mark.parametrize("k,overlap", [(40, 40), (40, 30), (40, 20), (40, 0), (5, 5), (5, 0), (20, 7)])
def test_teacher_supports_values_and_signs(k, overlap):
    t = tasks.make_teacher(1, D=1000, k_aux=40, k=k, overlap=overlap)
    aux = set(np.flatnonzero(t.beta_aux))
    main = set(np.flatnonzero(t.beta_main))
    assert aux == set(t.aux_support) and len(aux) == 40
    assert main == set(t.main_support) and len(main) == k
    assert len(aux & main) == overlap
    np.testing.assert_allclose(np.abs(t.beta_aux[list(aux)]), 1 / np.sqrt(40), rtol=1e-15)
    np.testing.assert_allclose(np.abs(t.beta_main[list(main)]), 1 / np.sqrt(k), rtol=1e-15)
    shared = list(aux & main)
    np.testing.assert_array_equal(np.sign(t.beta_main[shared]), np.sign(t.beta_aux[shared]))
    assert np.isclose(t.beta_main @ t.beta_main, 1.0) and np.isclose(t.beta_aux @ t.beta_aux, 1.0)


def test_new_feature_signs_are_random():
    # over many new features, both signs occur in roughly equal numbers
    t = tasks.make_teacher(2, D=1000, k_aux=40, k=400, overlap=0)
    signs = np.sign(t.beta_main[t.main_support])
    assert 150 < np.sum(signs > 0) < 250


def test_supports_are_nested_in_k_and_aux_teacher_does_not_depend_on_main():
    small = tasks.make_teacher(4, k=5, overlap=5)
    big = tasks.make_teacher(4, k=40, overlap=40)
    new_small = tasks.make_teacher(4, k=5, overlap=0)
    new_big = tasks.make_teacher(4, k=30, overlap=0)
    assert set(small.main_support) <= set(big.main_support)
    assert set(new_small.main_support) <= set(new_big.main_support)
    for t in (big, new_small, new_big):
        np.testing.assert_array_equal(t.beta_aux, small.beta_aux)
    assert set(big.main_support) == set(big.aux_support)
    assert not set(new_big.main_support) & set(new_big.aux_support)


def test_training_sets_are_prefixes_and_deterministic():
    t = tasks.make_teacher(5, k=10, overlap=5)
    X16, y16 = tasks.main_data(5, t, 16)
    X32, y32 = tasks.main_data(5, t, 32)
    np.testing.assert_array_equal(X32[:16], X16)
    np.testing.assert_array_equal(y32[:16], y16)
    X16b, _ = tasks.main_data(5, t, 16)
    np.testing.assert_array_equal(X16, X16b)
    np.testing.assert_allclose(y32, X32 @ t.beta_main, rtol=1e-15)  # noiseless


def test_streams_are_independent_of_teacher_and_each_other():
    t_a = tasks.make_teacher(6, k=40, overlap=40)
    t_b = tasks.make_teacher(6, k=5, overlap=0)
    Xa, _ = tasks.main_data(6, t_a, 8)
    Xb, _ = tasks.main_data(6, t_b, 8)
    np.testing.assert_array_equal(Xa, Xb)  # inputs do not depend on the teacher
    Xaux, yaux = tasks.aux_data(6, t_a, 8)
    Xtest = tasks.held_out_inputs(6, 1000, 8)
    assert not np.allclose(Xaux, Xa) and not np.allclose(Xtest, Xa) and not np.allclose(Xtest, Xaux)
    np.testing.assert_allclose(yaux, Xaux @ t_a.beta_aux, rtol=1e-15)
    other = tasks.make_teacher(7, k=40, overlap=40)
    assert not np.array_equal(other.beta_aux, t_a.beta_aux)


def test_test_mse_matches_definition_and_is_near_norm_for_isotropic_inputs():
    rng = np.random.default_rng(0)
    X = tasks.held_out_inputs(0, 200, 10000)
    e = rng.standard_normal(200)
    assert np.isclose(tasks.test_mse(e, np.zeros(200), X), np.mean((X @ e) ** 2), rtol=1e-12)
    # E[(x.e)^2] = ||e||^2 for x uniform on the sphere of radius sqrt(D)
    assert abs(tasks.test_mse(e, np.zeros(200), X) / (e @ e) - 1) < 0.05


def test_bad_inputs_raise_named_errors():
    with pytest.raises(InputError, match="overlap"):
        tasks.make_teacher(0, k=10, overlap=11)
    with pytest.raises(InputError, match="k_aux"):
        tasks.make_teacher(0, D=30, k_aux=40, k=5, overlap=0)
    with pytest.raises(InputError, match="D - k_aux"):
        tasks.make_teacher(0, D=50, k_aux=40, k=20, overlap=0)
    with pytest.raises(InputError, match="seed"):
        tasks.make_teacher(-1)
    with pytest.raises(InputTypeError, match="seed"):
        tasks.make_teacher(1.5)
    with pytest.raises(InputError, match="beta"):
        tasks.test_mse(np.zeros(3), np.zeros(4), np.zeros((2, 4)))
