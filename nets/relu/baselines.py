"""Kernel baselines at the finetuning start: ridge on frozen features (LP) and on the NTK features.

Both linearise the network ``f(x; theta)`` around the finetuning start
``theta0 = (W0, a0)`` and fit the change ``delta`` by ridge regression on
the residual targets ``y - f(x; theta0)``:

* LP: features ``phi(x) = ReLU(W0 x)`` (K,), the derivative with respect to
  the readout; ``delta`` is the change of the readout.
* NTK: features are the whole parameter gradient, ``df/da_k = ReLU(w_k.x)``
  then ``df/dW_k = a_k 1[w_k.x > 0] x`` (row-major over (K, D)), (K + K D,).

The prediction is ``f(x; theta0) + phi(x).delta + intercept``. The ridge
objective is ``||y - f0 - Phi delta - b||^2 + alpha ||delta||^2`` (as
``sklearn.linear_model.Ridge``; the intercept ``b`` is not penalised). The
strength is chosen from ``alphas`` (default ``logspace(-5, 10, 100)``) by the
mean squared error on a held-out validation part of the training data (drawn
from the ``RELU_SPLIT`` of ``seed``), then the model is refitted on all
training data. One SVD of the (centred) feature matrix serves every strength.
"""
from dataclasses import dataclass

import numpy as np

from featreuse.errors import InputError
from ..seeding import RELU_SPLIT, stream
from featreuse.validation import as_float_array, check_scalar

DEFAULT_ALPHAS = np.logspace(-5, 10, 100)


def _check_net(W0, a0, X=None):
    W0 = as_float_array(W0, "W0", ndim=2)
    a0 = as_float_array(a0, "a0")
    if a0.ndim == 2 and a0.shape[0] == 1:
        a0 = a0[0]
    if a0.shape != (W0.shape[0],):
        raise InputError(f"a0 must have shape (K,) or (1, K) with K = {W0.shape[0]}, "
                         f"got {a0.shape}")
    if X is None:
        return W0, a0
    X = as_float_array(X, "X", ndim=2)
    if X.shape[1] != W0.shape[1]:
        raise InputError(f"X has {X.shape[1]} columns but W0 has D = {W0.shape[1]}")
    return W0, a0, X


def hidden_features(W0, X):
    """Frozen hidden features ``ReLU(X W0^T)``, ndarray (n, K)."""
    W0 = as_float_array(W0, "W0", ndim=2)
    X = as_float_array(X, "X", ndim=2)
    if X.shape[1] != W0.shape[1]:
        raise InputError(f"X has {X.shape[1]} columns but W0 has D = {W0.shape[1]}")
    return np.maximum(X @ W0.T, 0.0)


def ntk_features(W0, a0, X):
    """Per-sample parameter gradients of ``f`` at ``(W0, a0)``.

    Parameters
    ----------
    W0 : array_like (K, D)
    a0 : array_like (K,) or (1, K)
    X : array_like (n, D)

    Returns
    -------
    ndarray (n, K + K D)
        ``[ReLU(X W0^T), (a0 1[X W0^T > 0])_k x]``, the second block flattened
        row-major over (K, D).
    """
    W0, a0, X = _check_net(W0, a0, X)
    Z = X @ W0.T
    gate = (Z > 0) * a0
    return np.concatenate([np.maximum(Z, 0.0), (gate[:, :, None] * X[:, None, :]).reshape(
        X.shape[0], -1)], axis=1)


class _RidgeSVD:
    """Ridge regression of ``y`` on ``F`` for many strengths from one SVD."""

    def __init__(self, F, y, fit_intercept):
        self.F_mean = F.mean(axis=0) if fit_intercept else np.zeros(F.shape[1])
        self.y_mean = y.mean() if fit_intercept else 0.0
        U, s, Vt = np.linalg.svd(F - self.F_mean, full_matrices=False)
        self.s, self.Vt = s, Vt
        self.Uty = U.T @ (y - self.y_mean)

    def _shrunk(self, alphas):
        # (n_alphas, r): s / (s^2 + alpha) times U^T y, the coefficients in the V basis
        return self.s / (self.s ** 2 + alphas[:, None]) * self.Uty

    def coef(self, alphas):
        """Coefficients (n_alphas, p) and intercepts (n_alphas,)."""
        coef = self._shrunk(alphas) @ self.Vt
        return coef, self.y_mean - coef @ self.F_mean

    def predict(self, F, alphas):
        """Predictions (n_alphas, n) on features ``F`` (n, p)."""
        P = (F - self.F_mean) @ self.Vt.T
        return self.y_mean + self._shrunk(alphas) @ P.T


def _check_alphas(alphas):
    alphas = as_float_array(DEFAULT_ALPHAS if alphas is None else alphas, "alphas", ndim=1)
    if np.any(alphas <= 0):
        raise InputError("alphas must be > 0")
    return alphas


def ridge_path(F, y, alphas=None, fit_intercept=True):
    """Ridge solutions of ``||y - F c - b||^2 + alpha ||c||^2`` for every strength.

    Parameters
    ----------
    F : array_like (n, p)
    y : array_like (n,)
    alphas : array_like (n_alphas,) of float > 0
        Default ``logspace(-5, 10, 100)``.
    fit_intercept : bool
        Fit an unpenalised intercept ``b`` (else ``b = 0``).

    Returns
    -------
    coef : ndarray (n_alphas, p)
    intercept : ndarray (n_alphas,)
    """
    F = as_float_array(F, "F", ndim=2)
    y = as_float_array(y, "y", shape=(F.shape[0],))
    return _RidgeSVD(F, y, bool(fit_intercept)).coef(_check_alphas(alphas))


@dataclass
class RidgeBaseline:
    """A ridge fit of the linearised network at the finetuning start.

    Attributes
    ----------
    kind : str
        ``"lp"`` or ``"ntk"``.
    W0 : ndarray (K, D)
    a0 : ndarray (K,)
        The finetuning start.
    coef : ndarray (K,) for LP, (K + K D,) for NTK
        Parameter change ``delta`` (NTK: readout block, then W row-major).
    intercept : float
    alpha : float
        Chosen strength.
    alphas : ndarray (n_alphas,)
    val_mse : ndarray (n_alphas,)
        Validation MSE of each strength (NaN when only one was given).
    """

    kind: str
    W0: np.ndarray
    a0: np.ndarray
    coef: np.ndarray
    intercept: float
    alpha: float
    alphas: np.ndarray
    val_mse: np.ndarray

    def predict(self, X):
        """Predictions ``f(x; theta0) + phi(x).delta + intercept``, ndarray (n,), for X (n, D).

        The NTK features are not formed: their product with ``delta`` is
        ``ReLU(Z) da + sum_k a0_k 1[Z_k > 0] (dW_k . x)``.
        """
        X = as_float_array(X, "X", ndim=2)
        if X.shape[1] != self.W0.shape[1]:
            raise InputError(f"X has {X.shape[1]} columns but W0 has D = {self.W0.shape[1]}")
        K = self.W0.shape[0]
        Z = X @ self.W0.T
        H = np.maximum(Z, 0.0)
        out = H @ (self.a0 + self.coef[:K]) + self.intercept
        if self.kind == "ntk":
            dW = self.coef[K:].reshape(self.W0.shape)
            out += (((Z > 0) * self.a0) * (X @ dW.T)).sum(axis=1)
        return out


def _fit(kind, W0, a0, X, y, alphas, val_fraction, seed, fit_intercept):
    W0, a0, X = _check_net(W0, a0, X)
    y = as_float_array(y, "y", shape=(X.shape[0],))
    alphas = _check_alphas(alphas)
    F = hidden_features(W0, X) if kind == "lp" else ntk_features(W0, a0, X)
    target = y - np.maximum(X @ W0.T, 0.0) @ a0
    fit_intercept = bool(fit_intercept)
    val_mse = np.full(alphas.size, np.nan)
    if alphas.size > 1:
        val_fraction = check_scalar(val_fraction, "val_fraction", low=0, high=1)
        n = X.shape[0]
        n_val = int(round(val_fraction * n))
        if not 1 <= n_val <= n - 1:
            raise InputError(f"val_fraction = {val_fraction} leaves {n_val} of {n} samples for "
                             "validation; need at least one for validation and one for training")
        order = stream(seed, RELU_SPLIT).permutation(n)
        val, train = order[:n_val], order[n_val:]
        pred = _RidgeSVD(F[train], target[train], fit_intercept).predict(F[val], alphas)
        val_mse = np.mean((pred - target[val]) ** 2, axis=1)
        best = alphas[np.argmin(val_mse)]
    else:
        best = alphas[0]
    coef, intercept = _RidgeSVD(F, target, fit_intercept).coef(np.array([best]))
    return RidgeBaseline(kind=kind, W0=W0, a0=a0, coef=coef[0], intercept=float(intercept[0]),
                         alpha=float(best), alphas=alphas, val_mse=val_mse)


def fit_lp(W0, a0, X, y, alphas=None, val_fraction=0.2, seed=0, fit_intercept=True):
    """Ridge on the frozen hidden features at the finetuning start (linear probe).

    Parameters
    ----------
    W0 : array_like (K, D)
    a0 : array_like (K,) or (1, K)
        Finetuning start (hidden weights after rescaling, re-drawn readout).
    X : array_like (n, D)
    y : array_like (n,)
    alphas : array_like, optional
        Candidate strengths (> 0), default ``logspace(-5, 10, 100)``. With a
        single strength there is no validation split.
    val_fraction : float in (0, 1)
        Share of the training samples held out to choose the strength.
    seed : int
        Seed of the split.
    fit_intercept : bool

    Returns
    -------
    RidgeBaseline
    """
    return _fit("lp", W0, a0, X, y, alphas, val_fraction, seed, fit_intercept)


def fit_ntk(W0, a0, X, y, alphas=None, val_fraction=0.2, seed=0, fit_intercept=True):
    """Ridge on the NTK features (all parameter gradients) at the finetuning start.

    Parameters and returns as :func:`fit_lp`. With a tiny strength and no
    intercept the fit is the end point of gradient descent on the linearised
    network ``f(theta0) + J (theta - theta0)`` started at ``theta0`` (the
    minimum-norm interpolating ``delta``).
    """
    return _fit("ntk", W0, a0, X, y, alphas, val_fraction, seed, fit_intercept)
