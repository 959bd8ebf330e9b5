"""A multi-task diagonal network as a multi-output scikit-learn regressor."""
import numpy as np

from ..train import train_multi
from .base import DiagonalNetBase


class MultiTaskDiagonalNetRegressor(DiagonalNetBase):
    """One task per target column, all on the same inputs, with a shared first layer.

    ``beta_t = w+ * v+^t - w- * v-^t``, trained on LL's loss (one mean over
    all n T squared errors, plus ``weight_decay ||theta||^2``) by
    :func:`featreuse.solvers.train_multi`.

    Parameters
    ----------
    init : float or array_like (T + 1, 2, D)
        alpha > 0 or explicit weights (:func:`featreuse.solvers.diagonal.multi_init`).
    method : {"flow", "gd"}
        The gradient flow (stiff integration) or LL's gradient descent.
    lr : float
        GD learning rate.
    tol : float
        Data loss (no weight decay) or squared gradient norm (weight decay)
        at which training stops.
    max_steps : int
        GD steps or integrator steps allowed.
    weight_decay : float
        lambda >= 0 (its minima are the group lasso's with ``2 lambda``).
    fit_intercept : bool
        As :class:`DiagonalNetRegressor`.

    Attributes
    ----------
    coef_ : ndarray (T, D), or (D,) when y is 1-d
        Row t is task t's predictor.
    intercept_ : ndarray (T,) or float
    result_ : MultiResult
    n_iter_, converged_, n_features_in_
        As :class:`DiagonalNetRegressor`.
    """

    _multi_output = True

    def __init__(self, init=1e-3, method="flow", lr=0.1, tol=1e-10, max_steps=100_000,
                 weight_decay=0.0, fit_intercept=False):
        self.init = init
        self.method = method
        self.lr = lr
        self.tol = tol
        self.max_steps = max_steps
        self.weight_decay = weight_decay
        self.fit_intercept = fit_intercept

    def _train(self, X, y):
        Y = y[:, None] if y.ndim == 1 else y
        res = train_multi([X] * Y.shape[1], list(Y.T), init=self.init, method=self.method,
                          lr=self.lr, tol=self.tol, max_steps=self.max_steps,
                          weight_decay=self.weight_decay)
        coef = np.ascontiguousarray(res.beta.T)
        return (coef[0] if y.ndim == 1 else coef), res
