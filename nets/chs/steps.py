"""One round of CHS's alternating algorithm, batched over tasks in torch.

Network of task t: ``f_t(x) = <a_t, ReLU(W x)>`` with shared ``W`` (m, d) and
head ``a_t`` (m,); heads are stacked as ``A`` (T, m). Loss: logistic,
``l(z) = log(1 + exp(-z))`` of the margin ``z = y f_t(x)``.

* Head step: from ``A = 0``, one gradient step of each task's own mean loss,
  ``a_t = -head_lr grad_{a_t} L_t(W, 0)`` (all T heads from one autograd call
  on the sum of the T per-task losses, whose gradient in ``a_t`` is task t's).
* Shared step: with the heads held fixed, one step on the mean over tasks of
  the per-task mean losses, with weight decay:
  ``W <- (1 - lr weight_decay) W - lr grad_W L(W, A)``.

Inputs have a leading task axis: (T, n, d) per task, or (1, n, d) shared by
every task (broadcast).
"""
import torch
import torch.nn.functional as F


def outputs(W, A, X):
    """Outputs of every task's network on its inputs.

    Parameters
    ----------
    W : Tensor (m, d)
    A : Tensor (T, m)
    X : Tensor (T, n, d) or (1, n, d)

    Returns
    -------
    Tensor (T, n)
        ``f_t(X[t, i])`` (of ``X[0, i]`` for shared inputs).
    """
    H = torch.relu(X @ W.T)                          # (T or 1, n, m)
    return (H @ A.unsqueeze(-1)).squeeze(-1)         # (T, n)


def task_losses(W, A, X, Y):
    """Mean logistic loss of each task on its samples, Tensor (T,)."""
    return F.softplus(-Y * outputs(W, A, X)).mean(dim=1)


def head_step(W, X, Y, head_lr):
    """Heads after one gradient step from 0: Tensor (T, m), detached.

    Parameters
    ----------
    W : Tensor (m, d)
    X : Tensor (T, n1, d) or (1, n1, d)
    Y : Tensor (T, n1)
    head_lr : float
    """
    A = torch.zeros(Y.shape[0], W.shape[0], dtype=W.dtype, device=W.device, requires_grad=True)
    (grad,) = torch.autograd.grad(task_losses(W.detach(), A, X, Y).sum(), A)
    return -head_lr * grad


def shared_step(W, A, X, Y, lr, weight_decay):
    """One weight-decayed gradient step on W with the heads fixed.

    Parameters
    ----------
    W : Tensor (m, d)
    A : Tensor (T, m)
    X : Tensor (T, n2, d) or (1, n2, d)
    Y : Tensor (T, n2)
    lr, weight_decay : float

    Returns
    -------
    (Tensor (m, d), float)
        The new W (detached) and the loss before the step.
    """
    W = W.detach().requires_grad_(True)
    loss = task_losses(W, A.detach(), X, Y).mean()
    (grad,) = torch.autograd.grad(loss, W)
    return ((1.0 - lr * weight_decay) * W - lr * grad).detach(), float(loss.detach())
