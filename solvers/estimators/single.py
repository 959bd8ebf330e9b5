"""A single-task diagonal network as a scikit-learn regressor."""
from ..train import train_single
from .base import DiagonalNetBase


class DiagonalNetRegressor(DiagonalNetBase):
    """Diagonal linear network ``beta = w+ * v+ - w- * v-`` trained on the MSE.

    Parameters
    ----------
    init : float or array_like (4, D)
        alpha > 0 (LL's init: all four vectors alpha) or explicit ``w+, v+, w-, v-``.
    method : {"flow", "gd"}
        The exact gradient flow's end, or LL's full-batch gradient descent.
    lr : float
        GD learning rate (restarted at lr/10 on divergence).
    tol : float
        Train MSE at which GD stops (the flow's end is checked against it).
    max_steps : int
        GD step budget.
    fit_intercept : bool
        False (default): the network alone. True: centre X and y, add an
        unpenalised intercept.

    Attributes
    ----------
    coef_ : ndarray (D,)
        The trained predictor beta.
    intercept_ : float
    result_ : SingleResult
        The trainer's result (params, loss, steps, ...).
    n_iter_ : int
        GD steps or Newton iterations.
    converged_ : bool
        The train loss reached ``tol`` (False, with a ConvergenceWarning, for
        a least-squares end when y is not in the range of X).
    n_features_in_ : int

    Examples
    --------
    >>> from featreuse.estimators import DiagonalNetRegressor
    >>> model = DiagonalNetRegressor(init=1e-3).fit(X, y)      # doctest: +SKIP
    >>> model.coef_                                            # doctest: +SKIP
    """

    def __init__(self, init=1e-3, method="flow", lr=0.1, tol=1e-10, max_steps=100_000,
                 fit_intercept=False):
        self.init = init
        self.method = method
        self.lr = lr
        self.tol = tol
        self.max_steps = max_steps
        self.fit_intercept = fit_intercept

    def _train(self, X, y):
        res = train_single(X, y, init=self.init, method=self.method, lr=self.lr, tol=self.tol,
                           max_steps=self.max_steps)
        return res.beta, res
