"""Exact test errors of linear predictors on the WZR family's tasks (no test sample needed).

For inputs with population covariance ``Sigma`` and noise-free labels ``x . theta``,
the test MSE of a predictor ``beta`` is ``(beta - theta)^T Sigma (beta - theta)`` and
that of the zero predictor is ``theta^T Sigma theta``; the family's main error
figure ``rel_mse`` is their ratio.
"""
import numpy as np


def excess_mse(beta, theta, cov):
    """``(beta - theta)^T cov (beta - theta)``: test MSE against the noise-free labels."""
    e = np.asarray(beta, dtype=float) - theta
    return float(e @ cov @ e)


def null_mse(theta, cov):
    """``theta^T cov theta``: the test MSE of predicting 0 (the mean square of the labels)."""
    return float(theta @ cov @ theta)
