"""What the diagonal-network estimators share: input checks, centring, prediction."""
import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data


class DiagonalNetBase(RegressorMixin, BaseEstimator):
    """Base of the estimators: subclasses define ``_train(X, y) -> (coef, result)``.

    ``coef`` is (D,) for one target, (T, D) for T targets.
    """

    _multi_output = False

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = self._multi_output
        tags.target_tags.single_output = True
        return tags

    def fit(self, X, y):
        """Train the network on ``X`` (n, D) and ``y`` (n,) (or (n, T)).

        Returns
        -------
        self
        """
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True,
                             multi_output=self._multi_output)
        X = np.ascontiguousarray(X)
        y = np.asarray(y, dtype=np.float64)
        if self.fit_intercept:
            x_mean, y_mean = X.mean(axis=0), y.mean(axis=0)
            X, y = X - x_mean, y - y_mean
        coef, result = self._train(X, y)
        self.coef_ = coef
        self.result_ = result
        self.n_iter_ = int(result.steps)
        self.converged_ = bool(result.converged)
        if self.fit_intercept:
            self.intercept_ = y_mean - coef @ x_mean
        else:
            self.intercept_ = 0.0 if coef.ndim == 1 else np.zeros(coef.shape[0])
        return self

    def predict(self, X):
        """Predictions ``X coef_ + intercept_``: (n,) or (n, T).

        Parameters
        ----------
        X : array_like (n, D)
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return X @ self.coef_.T + self.intercept_
