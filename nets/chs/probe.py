"""Downstream linear probe: logistic regression on the features ``ReLU(W x)`` of an unseen task.

The unseen task is :func:`featreuse.nets.chs.tasks.probe_task` (a new direction in the
training tasks' subspace). The features use ``W`` rescaled to
``||W||_F^2 = m`` (rows of mean squared norm 1): ReLU is positively
homogeneous, so this removes only W's overall scale (which weight decay
shrinks), keeping the relative scale of its units, and makes one
regularisation strength ``C`` mean the same for every W.

Inputs ``x ~ N(0, I_d)`` come from the seed's probe stream: first the
``n_test`` test inputs, then the training inputs, so the training set of n is
the first n rows of any larger one and every n shares the test set.
"""
from dataclasses import dataclass

import numpy as np

from ..seeding import CHS_PROBE_DATA, stream
from .tasks import ChsTasks
from featreuse.errors import InputError, InputTypeError
from featreuse.validation import as_float_array, check_scalar


@dataclass(frozen=True)
class ProbeResult:
    """Accuracies of one probe.

    Attributes
    ----------
    accuracy : float
        Test accuracy on ``n_test`` fresh samples.
    train_accuracy : float
    n, n_test : int
    """

    accuracy: float
    train_accuracy: float
    n: int
    n_test: int


def probe_features(W, X):
    """``ReLU(X W_s^T)`` with ``W_s = W sqrt(m) / ||W||_F``, ndarray (n, m).

    Parameters
    ----------
    W : array_like (m, d), not zero
    X : array_like (n, d)
    """
    W = as_float_array(W, "W", ndim=2)
    X = as_float_array(X, "X", ndim=2)
    if X.shape[1] != W.shape[1]:
        raise InputError(f"X has {X.shape[1]} columns but W has d = {W.shape[1]}")
    norm = np.linalg.norm(W)
    if norm == 0:
        raise InputError("W must not be zero")
    return np.maximum(X @ (W * (np.sqrt(W.shape[0]) / norm)).T, 0.0)


def probe_accuracy(W, task, n, seed, n_test=2000, C=1.0, max_iter=1000, tol=1e-6):
    """Fit a logistic-regression probe on n samples of ``task`` and score it on ``n_test``.

    Parameters
    ----------
    W : array_like (m, d)
        The representation's first layer.
    task : ChsTasks
        One task (:func:`featreuse.nets.chs.tasks.probe_task`).
    n : int >= 1
        Training samples of the probe.
    seed : int >= 0
        Seeds the probe's inputs.
    n_test : int >= 1
    C : float > 0
        Inverse L2 strength of ``sklearn.linear_model.LogisticRegression``.
    max_iter : int >= 1
        L-BFGS iterations at most.
    tol : float > 0
        L-BFGS tolerance.

    Returns
    -------
    ProbeResult
        When the n training labels are all equal the probe predicts that label
        (logistic regression needs both classes).
    """
    from sklearn.linear_model import LogisticRegression
    if not isinstance(task, ChsTasks) or task.tasks != 1:
        raise InputTypeError("task must be a ChsTasks with one task (nets.chs.tasks.probe_task)")
    n = check_scalar(n, "n", low=1, low_inclusive=True, integer=True)
    n_test = check_scalar(n_test, "n_test", low=1, low_inclusive=True, integer=True)
    C = check_scalar(C, "C", low=0)
    max_iter = check_scalar(max_iter, "max_iter", low=1, low_inclusive=True, integer=True)
    tol = check_scalar(tol, "tol", low=0)
    rng = stream(seed, CHS_PROBE_DATA)
    X_test = rng.standard_normal((n_test, task.d))
    X = rng.standard_normal((n, task.d))
    y, y_test = task.labels(X)[0], task.labels(X_test)[0]
    F, F_test = probe_features(W, X), probe_features(W, X_test)
    if np.all(y == y[0]):
        return ProbeResult(float(np.mean(y_test == y[0])), 1.0, n, n_test)
    clf = LogisticRegression(C=C, l1_ratio=0.0, fit_intercept=True, solver="lbfgs",
                             max_iter=max_iter, tol=tol)
    clf.fit(F, y)
    return ProbeResult(float(clf.score(F_test, y_test)), float(clf.score(F, y)), n, n_test)
