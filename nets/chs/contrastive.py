"""The shared-layer gradient of one CHS round as an explicit sum over pairs of samples.

With the heads reset to 0 and one head step of size eta_h on the logistic loss
(``l'(0) = -1/2``), task t's head is

    a_t = (eta_h / (2 n1)) sum_i y_ti ReLU(W x_ti).

Holding the heads fixed, the gradient of the shared-step loss
``L(W) = (1/T) sum_t (1/n2) sum_j l(y'_tj <a_t, ReLU(W x'_tj)>)`` on unit k is

    grad_{w_k} L = -(eta_h / (2 T n1 n2)) sum_t sum_{i,j} K_tij
                   ReLU(<w_k, x_ti>) 1[<w_k, x'_tj> > 0] x'_tj,
    K_tij = c_tj y_ti y'_tj,   c_tj = 1 / (1 + exp(z_tj)) = -l'(z_tj) in (0, 1),

with the margin ``z_tj = y'_tj <a_t, ReLU(W x'_tj)>``. A step against it moves
w_k towards x'_tj for pairs with equal labels and away for opposite labels,
when unit k fires on both. When the tasks share their inputs
(``x_ti = x_i``, ``x'_tj = x'_j``) the pairs are common to every task and
their weight is ``K_ij = sum_t c_tj y_t(x_i) y_t(x'_j)``: the label products
summed over tasks, large for pairs that share labels in most tasks -- a
pseudo-contrastive loss. Derivation: docs/chs.md. numpy only; compare with
autograd of :mod:`featreuse.nets.chs.steps`.
"""
import numpy as np

from featreuse.errors import InputError
from featreuse.validation import as_float_array, check_scalar


def _check(W, X_head, Y_head, X_shared, Y_shared):
    W = as_float_array(W, "W", ndim=2)
    arrays = {}
    for name, X, Y in (("head", X_head, Y_head), ("shared", X_shared, Y_shared)):
        X = as_float_array(X, f"X_{name}", ndim=3)
        Y = as_float_array(Y, f"Y_{name}", ndim=2)
        if X.shape[2] != W.shape[1]:
            raise InputError(f"X_{name} has d = {X.shape[2]} but W has {W.shape[1]} columns")
        if X.shape[0] not in (1, Y.shape[0]) or X.shape[1] != Y.shape[1]:
            raise InputError(f"X_{name} {X.shape} and Y_{name} {Y.shape} must be (T or 1, n, d) "
                             "and (T, n)")
        arrays[name] = (X, Y)
    if arrays["head"][1].shape[0] != arrays["shared"][1].shape[0]:
        raise InputError("Y_head and Y_shared must have the same number of tasks")
    if arrays["head"][0].shape[0] != arrays["shared"][0].shape[0]:
        raise InputError("X_head and X_shared must both be per task or both shared")
    return W, arrays["head"], arrays["shared"]


def one_step_heads(W, X_head, Y_head, head_lr):
    """``a_t = (head_lr / (2 n1)) sum_i y_ti ReLU(W x_ti)``, ndarray (T, m)."""
    H = np.maximum(X_head @ W.T, 0.0)                       # (T or 1, n1, m)
    H = np.broadcast_to(H, Y_head.shape + H.shape[2:])      # (T, n1, m)
    return head_lr / (2 * Y_head.shape[1]) * np.einsum("ti,tim->tm", Y_head, H)


def pair_weights(W, X_head, Y_head, X_shared, Y_shared, head_lr):
    """Pair weights ``K_tij = c_tj y_ti y'_tj``, ndarray (T, n1, n2) (see the module doc)."""
    W, (X1, Y1), (X2, Y2) = _check(W, X_head, Y_head, X_shared, Y_shared)
    A = one_step_heads(W, X1, Y1, check_scalar(head_lr, "head_lr", low=0))
    H2 = np.maximum(X2 @ W.T, 0.0)                          # (T or 1, n2, m)
    z = Y2 * np.einsum("tjm,tm->tj", np.broadcast_to(H2, Y2.shape + H2.shape[2:]), A)
    c = 1.0 / (1.0 + np.exp(z))                             # -l'(z)
    return np.einsum("ti,tj->tij", Y1, c * Y2)


def pair_gradient(W, X_head, Y_head, X_shared, Y_shared, head_lr):
    """The shared-step gradient as a sum over (head sample, shared sample) pairs.

    Parameters
    ----------
    W : array_like (m, d)
    X_head : array_like (T, n1, d) or (1, n1, d)
        Head-step inputs, per task or shared.
    Y_head : array_like (T, n1)
    X_shared : array_like (T, n2, d) or (1, n2, d)
        Shared-step inputs, per task or shared (as ``X_head``).
    Y_shared : array_like (T, n2)
    head_lr : float > 0

    Returns
    -------
    ndarray (m, d)
        ``grad_W L`` of the module doc. For shared inputs the pairs are summed
        once with weights ``K_ij = sum_t K_tij``.
    """
    W, (X1, Y1), (X2, Y2) = _check(W, X_head, Y_head, X_shared, Y_shared)
    K = pair_weights(W, X1, Y1, X2, Y2, head_lr)
    T, n1, n2 = K.shape
    P = np.maximum(X1 @ W.T, 0.0)                           # ReLU(<w_k, x_i>)
    D = (X2 @ W.T > 0).astype(float)                        # 1[<w_k, x'_j> > 0]
    scale = -head_lr / (2 * T * n1 * n2)
    if X1.shape[0] == 1:
        # shared inputs: one sum over pairs, weighted by label products across tasks
        return scale * np.einsum("ij,ik,jk,jd->kd", K.sum(axis=0), P[0], D[0], X2[0])
    return scale * np.einsum("tij,tik,tjk,tjd->kd", K, P, D, X2)
