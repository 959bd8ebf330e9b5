"""Scalars and small arrays recorded for every trained ReLU network."""
import numpy as np

#: points of the recorded loss curve (log-spaced epochs)
CURVE_POINTS = 64


def prediction_mse(W, a, X, y):
    """Mean squared error of ``a . ReLU(W x)`` on ``(X, y)``.

    Parameters
    ----------
    W : ndarray (K, D)
    a : ndarray (K,)
    X : ndarray (n, D)
    y : ndarray (n,)

    Returns
    -------
    float
    """
    return float(np.mean((np.maximum(X @ W.T, 0.0) @ a - y) ** 2))


def network_scalars(W, a_main, a_all):
    """Norms and effective number of units of a network.

    Parameters
    ----------
    W : ndarray (K, D)
    a_main : ndarray (K,)
        The main task's readout.
    a_all : ndarray (T, K)
        Every readout (MTL: ``[aux, main]``).

    Returns
    -------
    dict
        ``f1_norm`` (``sum_k ||w_k|| |a_k|`` of the main readout),
        ``group_sparse_norm`` (``sum_k ||w_k|| ||a_{:,k}||_2`` over all readouts),
        ``effective_units`` (participation ratio of the main task's unit contributions).
    """
    from featreuse.nets import effective_units, f1_norm, group_sparse_norm
    return {"f1_norm": f1_norm(W, a_main), "group_sparse_norm": group_sparse_norm(W, a_all),
            "effective_units": effective_units(W, a_main)}


def loss_curve(history):
    """The training loss at up to :data:`CURVE_POINTS` log-spaced epochs.

    Parameters
    ----------
    history : ndarray (epochs,)
        Every epoch's loss of the run's last attempt.

    Returns
    -------
    epochs : ndarray of int64
        1-based epochs (the last one always included).
    loss : ndarray of float64
    """
    history = np.asarray(history, dtype=np.float64)
    if history.size == 0:
        return np.zeros(0, dtype=np.int64), history
    epochs = np.unique(np.round(np.logspace(0, np.log10(history.size), CURVE_POINTS)))
    epochs = epochs.astype(np.int64)
    return epochs, history[epochs - 1]
