"""Metrics of ReLU networks on constructed weights with known values."""
import numpy as np
import pytest

from featreuse import nets


def test_norms_of_a_hand_built_network():
    W = np.array([[3.0, 4.0], [0.0, 2.0], [1.0, 0.0]])       # unit norms 5, 2, 1
    a = np.array([0.5, -3.0, 0.0])
    assert nets.f1_norm(W, a) == pytest.approx(5 * 0.5 + 2 * 3.0)
    assert nets.group_sparse_norm(W, a[None, :]) == pytest.approx(nets.f1_norm(W, a))
    A = np.array([[0.5, -3.0, 0.0], [1.2, 4.0, 0.0]])       # column norms 1.3, 5, 0
    np.testing.assert_allclose(nets.unit_contributions(W, A), [6.5, 10.0, 0.0])
    assert nets.group_sparse_norm(W, A) == pytest.approx(16.5)
    with pytest.raises(nets.InputError, match="single readout"):
        nets.f1_norm(W, A)
    with pytest.raises(nets.InputError, match="a must have shape"):
        nets.f1_norm(W, np.ones(4))


def test_effective_units_count_equal_contributions():
    rng = np.random.default_rng(0)
    W = rng.standard_normal((10, 4))
    a = np.zeros(10)
    active = [1, 4, 7]
    a[active] = 2.0 / np.linalg.norm(W[active], axis=1)     # three contributions of 2
    assert nets.effective_units(W, a) == pytest.approx(3.0)
    a[1] *= 3                                                # contributions 6, 2, 2
    assert nets.effective_units(W, a) == pytest.approx(10 ** 2 / 44)
    assert nets.effective_units(W, np.zeros(10)) == 0.0


def test_representation_participation_ratio():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((50, 6))
    one_unit = np.zeros((8, 6))
    one_unit[2] = rng.standard_normal(6)
    assert nets.representation_participation_ratio(one_unit, X) == pytest.approx(1.0)
    copies = np.repeat(one_unit[2:3], 8, axis=0) * np.arange(1, 9)[:, None]
    assert nets.representation_participation_ratio(copies, X) == pytest.approx(1.0)
    for K in (5, 80):            # both Gram matrices
        W = rng.standard_normal((K, 6))
        H = np.maximum(X @ W.T, 0)
        lam = np.linalg.eigvalsh(np.cov(H.T))
        expected = lam.sum() ** 2 / np.sum(lam ** 2)
        assert nets.representation_participation_ratio(W, X) == pytest.approx(expected, rel=1e-9)


def test_identical_units_form_one_cluster_with_zero_inertia():
    W = np.tile([[0.0, 2.0, 0.0]], (7, 1)) * np.arange(1, 8)[:, None]
    c = nets.unit_clusters(W, max_clusters=5, n_init=3)
    np.testing.assert_array_equal(c.n_clusters, [1])
    assert c.inertia[0] == pytest.approx(0.0, abs=1e-24)
    np.testing.assert_allclose(c.centres[0], [[0.0, 1.0, 0.0]])


def test_two_directions_inertia_and_teacher_alignment():
    e1, e2 = np.eye(3)[0], np.eye(3)[1]
    W = np.array([e1, 2 * e1, 5 * e1, 3 * e2, 0.5 * e2, 0 * e1])   # last unit is dead
    teacher = np.array([e1, e2, np.eye(3)[2]])
    c = nets.unit_clusters(W, max_clusters=4, teacher_units=-teacher, seed=1)
    np.testing.assert_array_equal(c.n_clusters, [1, 2])
    np.testing.assert_array_equal(c.units, [0, 1, 2, 3, 4])
    # One cluster: centre (3/5, 2/5, 0); inertia 3 |e1 - centre|^2 + 2 |e2 - centre|^2.
    assert c.inertia[0] == pytest.approx(3 * 0.32 + 2 * 0.72)
    assert c.inertia[1] == pytest.approx(0.0, abs=1e-24)
    np.testing.assert_allclose(c.centre_alignment[1], 1.0)          # |cos| ignores the sign
    np.testing.assert_allclose(c.unit_alignment, 1.0)
    signed = nets.unit_alignment(W[:5], -teacher, signed=True)
    np.testing.assert_allclose(signed, 0.0, atol=1e-15)             # -e1, -e2, -e3: cos <= 0
    weighted = nets.unit_clusters(W, max_clusters=1, sample_weight=[1, 1, 1, 0, 0, 0])
    assert weighted.inertia[0] == pytest.approx(0.0, abs=1e-24)
    np.testing.assert_allclose(weighted.centres[0], [e1])


def test_per_unit_change_over_finetuning():
    rng = np.random.default_rng(2)
    before = rng.standard_normal((4, 2))
    angles = np.array([0.0, 0.3, np.pi / 2, np.pi])
    scales = np.array([1.0, 2.0, 0.5, 3.0])
    rot = np.stack([[np.cos(angles), -np.sin(angles)], [np.sin(angles), np.cos(angles)]])
    after = scales[:, None] * np.einsum("ijk,kj->ki", rot, before)
    change = nets.finetune_unit_change(before, after)
    np.testing.assert_allclose(change.norm_ratio, scales, rtol=1e-12)
    np.testing.assert_allclose(change.cosine, np.cos(angles), atol=1e-12)
    before[0] = 0
    change = nets.finetune_unit_change(before, after)
    assert np.isnan(change.norm_ratio[0]) and np.isnan(change.cosine[0])
    with pytest.raises(nets.InputError, match="W_after"):
        nets.finetune_unit_change(before, after[:3])
