"""Full-batch L-BFGS on a scalar torch objective: scipy's L-BFGS-B with autograd gradients.

The objective and its gradient are computed by torch (on any device); the
quasi-Newton steps by ``scipy.optimize.minimize(method="L-BFGS-B")`` on the flattened
parameters. Its steps are combinations of gradients and it measures them with the
Euclidean inner product only (first step ``1 / ||g||_2``, curvature pairs ``s . y``), so
it keeps the implicit bias of gradient methods started at the same point and is
unchanged by an isometric change of variables (used by :mod:`.align`).
"""
import numpy as np
import scipy.optimize
import torch


def minimise(params, objective, max_iter, tol):
    """Minimise ``objective()`` over the tensors ``params``, which are updated in place.

    Parameters
    ----------
    params : list of Tensor
        Leaf float64 tensors with ``requires_grad=True``.
    objective : callable
        Returns the scalar objective (a Tensor), scaled to order one.
    max_iter : int
        Most L-BFGS iterations.
    tol : float
        Stop when every gradient entry is below ``tol`` in absolute value, or when an
        iteration lowers the objective by less than ``tol**2`` relative to it.

    Returns
    -------
    (steps, converged) : (int, bool)
        Iterations taken and whether L-BFGS stopped before ``max_iter``.
    """
    sizes = [p.numel() for p in params]
    x0 = torch.cat([p.detach().reshape(-1) for p in params]).cpu().numpy()

    def load(x):
        with torch.no_grad():
            for p, chunk in zip(params, np.split(x, np.cumsum(sizes)[:-1])):
                p.copy_(torch.as_tensor(chunk, dtype=p.dtype, device=p.device).view_as(p))

    def value_and_grad(x):
        load(x)
        for p in params:
            p.grad = None
        value = objective()
        value.backward()
        grad = torch.cat([p.grad.detach().reshape(-1) for p in params])
        return float(value.detach()), grad.cpu().numpy()

    result = scipy.optimize.minimize(value_and_grad, x0, jac=True, method="L-BFGS-B",
                                     options={"maxiter": max_iter, "maxfun": 4 * max_iter,
                                              "maxcor": 50, "gtol": tol, "ftol": tol ** 2})
    load(result.x)
    return int(result.nit), int(result.nit) < max_iter
