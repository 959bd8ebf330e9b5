"""The downstream probe: perfect vs useless features, invariances, nesting, typed errors."""
import numpy as np
import pytest

from featreuse.nets.chs.probe import probe_accuracy, probe_features
from featreuse.nets.seeding import CHS_PROBE_DATA, stream
from featreuse.nets.chs.tasks import probe_task, random_subspace
from featreuse.errors import InputError, InputTypeError


@pytest.fixture
def task():
    return probe_task(0, random_subspace(0, 20, 3))


def test_features_along_the_task_normal_are_learned_and_orthogonal_ones_are_chance(task):
    u = task.normals[:, 0]
    W_good = np.vstack([u, -u])                     # ReLU(u.x) - ReLU(-u.x) = u.x
    n = 200
    good = probe_accuracy(W_good, task, n, seed=0, n_test=1000, C=1e6)
    # the classes are separated by a threshold on s = u.x, and the nearly unregularised
    # probe is monotone in s: its threshold lies in the gap between the training classes,
    # of expected mass 2/(n+1) (mass > 10/n: probability ~ 11 e^-10)
    assert good.accuracy > 1 - 10 / n
    P = np.eye(20) - task.M @ task.M.T              # features blind to col(M)
    W_blind = np.random.default_rng(1).standard_normal((10, 20)) @ P
    blind = probe_accuracy(W_blind, task, 200, seed=0, n_test=4000)
    # the test labels are independent of blind features: accuracy ~ Binomial(4000, 1/2)/4000
    assert abs(blind.accuracy - 0.5) < 5 * 0.5 / np.sqrt(4000)


def test_probe_is_invariant_to_the_scale_of_w(task):
    W = np.random.default_rng(2).standard_normal((8, 20))
    a, b = probe_accuracy(W, task, 64, seed=3), probe_accuracy(7.5 * W, task, 64, seed=3)
    assert a == b
    np.testing.assert_allclose(probe_features(7.5 * W, np.eye(20)), probe_features(W, np.eye(20)),
                               rtol=1e-12)


def _documented_probe(W, task, n, seed, n_test=2000, n_drawn=128):
    """The probe as documented: test inputs first, then training inputs (the first n of
    a larger draw), features ReLU(W_s x) with ||W_s||_F^2 = m, L2 logistic regression, C = 1."""
    from sklearn.linear_model import LogisticRegression
    rng = stream(seed, CHS_PROBE_DATA)
    X_test = rng.standard_normal((n_test, task.d))
    X = rng.standard_normal((n_drawn, task.d))[:n]
    W_s = W * np.sqrt(W.shape[0]) / np.linalg.norm(W)
    F, F_test = np.maximum(X @ W_s.T, 0), np.maximum(X_test @ W_s.T, 0)
    y, y_test = task.labels(X)[0], task.labels(X_test)[0]
    clf = LogisticRegression(C=1.0, max_iter=1000, tol=1e-6).fit(F, y)
    return clf.score(F_test, y_test)


def test_probe_follows_its_documented_protocol_with_prefix_nested_training_sets(task):
    W = np.random.default_rng(4).standard_normal((8, 20))
    for n in (32, 128):
        expected = _documented_probe(W, task, n, seed=5)
        assert probe_accuracy(W, task, n, seed=5).accuracy == pytest.approx(expected, abs=1e-12)


def test_one_label_in_training_predicts_that_label(task):
    W = np.random.default_rng(4).standard_normal((8, 20))
    res = probe_accuracy(W, task, 1, seed=5, n_test=500)
    rng = stream(5, CHS_PROBE_DATA)
    y_test = task.labels(rng.standard_normal((500, task.d)))[0]
    y = task.labels(rng.standard_normal((1, task.d)))[0]
    assert res.train_accuracy == 1.0
    assert res.accuracy == np.mean(y_test == y[0])


def test_bad_input_raises(task):
    W = np.ones((3, 20))
    with pytest.raises(InputTypeError, match="task must be a ChsTasks with one task"):
        probe_accuracy(W, "task", 10, seed=0)
    with pytest.raises(InputError, match="n must be >= 1"):
        probe_accuracy(W, task, 0, seed=0)
    with pytest.raises(InputError, match="X has 20 columns but W has d = 5"):
        probe_accuracy(np.ones((3, 5)), task, 10, seed=0)
    with pytest.raises(InputError, match="C must be > 0"):
        probe_accuracy(W, task, 10, seed=0, C=0.0)
