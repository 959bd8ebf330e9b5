"""Gradient flow of the multi-task diagonal network, integrated with error control.

The flow (docs/multi_flow.md) is

    d theta / dt = -grad [ sum_t omega_t ||X_t beta_t - y_t||^2 + lambda ||theta||^2 ],

with ``theta = params`` of shape (T + 1, 2, D) (``params[0] = (w+, w-)`` shared,
``params[1 + t] = (v+^t, v-^t)``) and ``beta_t = w+ * v+^t - w- * v-^t``.
There is no closed form for T >= 2.  The flow is stiff: coordinates whose
weights stay near the initial scale alpha move at rates ~ alpha^2 while the
large coordinates relax at rates O(1).

Method
------
While the flow is not stiff (early saddle-to-saddle phase) it is integrated
with scipy's explicit DOP853; once DOP853 becomes stability-limited and the
stiff method's expected step is competitive, the integrator switches to
a 4-stage Rosenbrock-W method of order 3 with an embedded order-2 estimate
(ROS34PW2, Rang & Angermann 2005) in its transformed (Hairer-Wanner IV.7)
form.  A W-method keeps its order for any matrix ``A`` in the stage equations;
we take ``A = -(J0^T W J0 + 2 lambda I)``: the Gauss-Newton part of the
Hessian at a frozen point ``theta0`` (J is the Jacobian of the N predictions,
``W = diag(2 omega)``).  It omits the curvature term of the predictions, which
is of the size of the gradient ``g_t = 2 omega_t X_t^T r_t`` and never stiff.
Every stage equation is solved exactly with the Woodbury identity from one
symmetric eigendecomposition of the N x N kernel ``W^(1/2) J0 J0^T W^(1/2)``,
so that any step size reuses it; with ``lambda = 0`` only the kernel's
eigen-directions that are stiff at the step size enter (``W_KEEP``).  The
kernel is refreshed when a step with a stale kernel is rejected.  Tasks with
``n_t >= D`` enter through their triangular factor (``tall_factor``).

For ``lambda = 0`` the end point (``times=None``) is polished by the kernel
limit of the linearised flow, ``theta - J^T (J J^T)^+ r`` (docs/multi_flow.md,
"tail jump"), with an error estimate; for ``lambda > 0`` by damped Newton on
``L + lambda ||theta||^2`` ("Newton polish").

Modules
-------
``problem``       the tasks, the parameterisation beta(theta) (numba) and the right-hand side
``gauss_newton``  the Gauss-Newton kernel: Jacobian products, eigendecomposition, stage
                  solves, kernel limit, spectral radius
``steppers``      ROS34PW2 (:func:`~.steppers.rosenbrock_step`) and the DOP853 phase
``polish``        the tail jump and the Newton polish of the end point
``flow``          :func:`multi_flow`, the driver; ``result``: :class:`MultiFlowResult`
"""
from .flow import multi_flow
from .result import MultiFlowResult

__all__ = ["MultiFlowResult", "multi_flow"]
