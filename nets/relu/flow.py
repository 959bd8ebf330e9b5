"""The gradient flow of ReLU networks, integrated with error control (``method = "flow"``).

SGD at learning rate ``lr`` on minibatches of the loss ``L(theta) = (1/N) ||r||^2``
(``r_i = f_{t_i}(x_i) - y_i``; with LL's per-task weights ``n_t / N`` the full-batch
loss is this plain mean) follows, on average, the gradient flow
``dtheta/dt = -grad L`` of the full-batch loss, one unit of flow time per ``lr`` of
step: an epoch of ``nb`` minibatches is ``lr * nb`` time units. :func:`train_flow`
integrates that flow from the run's initialisation, to LL's stop (loss below
``tol``) or to the flow time of LL's epoch cap (``max_epochs * lr * nb``).

The integrator (docs/relu.md, "The flow trainer") is a linearly implicit Euler
step with the Gauss-Newton curvature ``(2/N) J^T J`` of the step's start
(``J``: the N x P Jacobian of the outputs), pushed into sample space by Woodbury::

    theta_1 = theta_0 - h (g - J^T (N/(2h) I + J J^T)^{-1} J g),   g = grad L

so one N x N Gram ``J J^T = (H H^T) o [t_i = t_j] + (X X^T) o (G G^T)`` and one
Cholesky per step size serve the step (``H = ReLU(X W^T)``, ``G = a_{t_i} o 1[XW^T > 0]``).
Each step is taken once with ``h`` and twice with ``h/2`` (the same Gram for all
three); their difference estimates the error, Richardson extrapolation
(``2 theta_{h/2,h/2} - theta_h``) is kept, and ``h`` adapts to a relative error
``rtol`` of each block of weights (``W``, ``a``; RMS over the two). Plateaus are
crossed in few large steps; as ``h`` grows the step becomes the minimum-norm
Gauss-Newton step, which polishes the end.

The ReLU flow's vector field jumps where a sample crosses a unit's kink; where
samples slide along kinks the error control takes steps as small as SGD's own.
A flow step costs the gradient evaluations of its Gram, Cholesky factors and
Jacobian products (tens of them when N is large); where its step would span
fewer SGD epochs than that, the trainer takes LL's own SGD epochs instead (the
run's minibatch orders, its loss, its stop rule), at least :data:`SGD_BURST` of
them, and then tries the flow again. So the trainer never costs much more than
LL's SGD, and where the flow is smooth it crosses plateaus and tails in a few
steps.

The cost is counted in gradient evaluations (``epoch_equivalents``): the floating
point operations of every forward pass, Jacobian product, Gram and Cholesky,
divided by those of one full-batch gradient (a forward pass and ``J^T r``:
``4 N K (D + 1)``), which is what one epoch of SGD costs.
"""
import math
import time

import numpy as np
import torch

from ..device import resolve_device
from .checks import check_config, check_dtype, check_runs
from .epochs import EpochOrders
from .model import ReluConfig
from .results import StackedResult
from featreuse.validation import check_scalar

#: relative error per step (RMS over the weights)
RTOL = 1e-3
#: bounds of the step-size factor after a step
GROW, SHRINK = 5.0, 0.2
#: SGD epochs taken (at least; four flow steps' cost) where a flow step would not pay
SGD_BURST = 50


class _Flow:
    """One run's data and weights on the device, and the flow's operators."""

    def __init__(self, run, device, dtype, rtol, batch_size):
        self.run, self.rtol = run, rtol
        self.batch = run.n_samples if run.full_batch else batch_size
        self.batches = -(-run.n_samples // self.batch)
        self.orders = None if run.full_batch else EpochOrders(run.shuffle_seed, run.n_samples)
        self.fractions = torch.as_tensor(run.task_sizes / run.n_samples, device=device,
                                         dtype=dtype)
        as_t = dict(device=device, dtype=dtype)
        self.X = torch.as_tensor(np.concatenate(run.Xs), **as_t)
        self.y = torch.as_tensor(np.concatenate(run.ys), **as_t)
        tasks = np.repeat(np.arange(run.n_tasks), run.task_sizes)
        self.task = torch.as_tensor(tasks, device=device)
        self.onehot = torch.nn.functional.one_hot(self.task, run.n_tasks).to(dtype)
        self.same_task = self.onehot @ self.onehot.T
        self.XX = self.X @ self.X.T
        self.N, self.D = self.X.shape
        self.K = run.W0.shape[0]
        self.train_W = run.train == "all"
        self.W0 = torch.as_tensor(run.W0, **as_t)
        self.a0 = torch.as_tensor(run.a0, **as_t)
        self.flops = 0.0
        self.grad_flops = 4.0 * self.N * self.K * (self.D + 1)   # a state and a J^T r

    def state(self, W, a):
        """``(H, G, r)`` of the weights ``(W, a)`` on all samples (see :meth:`forward`)."""
        self.flops += 2.0 * self.N * self.K * (self.D + 1)
        return self.forward(W, a, self.X, self.y, self.task)

    def forward(self, W, a, X, y, task):
        """``H = ReLU(X W^T)``, ``G = a_{t_i} o 1[X W^T > 0]`` (each (b, K); G None when
        ``W`` is frozen) and the residuals ``r`` (b,) of the samples ``(X, y, task)``."""
        Z = X @ W.T
        H = torch.relu(Z)
        a_i = a[task]
        r = (H * a_i).sum(1) - y
        G = (Z > 0) * a_i if self.train_W else None
        return H, G, r

    def jt(self, st, U):
        """``J^T U`` for ``U`` (N, c): ``dW`` (c, K, D) or None, ``da`` (c, T, K)."""
        H, G, _ = st
        c = U.shape[1]
        da = torch.einsum("it,ic,ik->ctk", self.onehot, U, H)
        dW = torch.einsum("ic,ik,id->ckd", U, G, self.X) if self.train_W else None
        self.flops += 2.0 * c * self.N * self.K * ((self.D + 1) if self.train_W else 1)
        return dW, da

    def jv(self, st, vW, va):
        """``J v`` for ``v = (vW (K, D), va (T, K))``: (N,)."""
        H, G, _ = st
        out = (H * va[self.task]).sum(1)
        if self.train_W:
            out = out + ((self.X @ vW.T) * G).sum(1)
        self.flops += 2.0 * self.N * self.K * ((self.D + 1) if self.train_W else 1)
        return out

    def gram(self, st):
        """``J J^T`` (N, N) at the state ``st``."""
        H, G, _ = st
        S = (H @ H.T) * self.same_task
        if self.train_W:
            S = S + self.XX * (G @ G.T)
        self.flops += self.gram_flops()
        return S

    def gram_flops(self):
        """Floating point operations of :meth:`gram`."""
        return 2.0 * self.N ** 2 * self.K * (2 if self.train_W else 1)

    def factor(self, S, h):
        """Cholesky factor of ``N/(2h) I + S``."""
        shifted = S + (self.N / (2.0 * h)) * torch.eye(self.N, dtype=S.dtype, device=S.device)
        self.flops += self.N ** 3 / 3.0
        return torch.linalg.cholesky(shifted)

    def solve(self, chol, u):
        """``(N/(2h) I + S)^{-1} u`` for ``u`` (N,) from the factor."""
        self.flops += 2.0 * self.N ** 2
        return torch.cholesky_solve(u[:, None], chol)[:, 0]

    def first_steps(self, W, a, st, S, full, half, h):
        """The steps of size ``h`` and ``h/2`` from the state ``st`` where ``J = J0``.

        There ``g = (2/N) J0^T r``, so ``J0 g = (2/N) S r`` and each step is
        ``-h J0^T ((2/N) r - c)``: one product with ``J0^T`` for both.
        """
        u = (2.0 / self.N) * st[2]
        Su = S @ u
        self.flops += 2.0 * self.N ** 2
        U = torch.stack([h * (u - self.solve(full, Su)),
                         (h / 2) * (u - self.solve(half, Su))], 1)
        dW, da = self.jt(st, U)
        if self.train_W:
            return (W - dW[0], a - da[0]), (W - dW[1], a - da[1])
        return (W, a - da[0]), (W, a - da[1])

    def step(self, W, a, h, chol, st0, st):
        """One step of size ``h`` from ``(W, a)`` (state ``st``) with the Gram of ``st0``."""
        u = (2.0 / self.N) * st[2]
        gW, ga = self.jt(st, u[:, None])
        gW = gW[0] if self.train_W else None
        c = self.solve(chol, self.jv(st0, gW, ga[0]))
        cW, ca = self.jt(st0, c[:, None])
        W_new = W - h * (gW - cW[0]) if self.train_W else W
        return W_new, a - h * (ga[0] - ca[0])

    def error(self, W1, a1, W2, a2):
        """The step's error estimate relative to the weights, RMS over the two blocks."""
        parts = [float(((a2 - a1) ** 2).sum()) / max(float((a2 ** 2).sum()), 1e-300)]
        if self.train_W:
            parts.append(float(((W2 - W1) ** 2).sum()) / max(float((W2 ** 2).sum()), 1e-300))
        return math.sqrt(sum(parts) / len(parts)) / self.rtol

    def sgd_epoch(self, W, a, lr):
        """One epoch of LL's SGD from ``(W, a)``; returns the weights and the epoch's loss.

        The batches of the run's next order (none: full batch, one GD step); a batch's
        loss is ``sum_t (n_t/N) MSE_t`` over its samples (:class:`~.runs.RunSpec`), the
        epoch's loss the mean of its batches' losses before their steps.
        """
        order = (torch.arange(self.N, device=self.X.device) if self.orders is None else
                 torch.as_tensor(self.orders.next(), device=self.X.device))
        losses = []
        for start in range(0, self.N, self.batch):
            idx = order[start:start + self.batch]
            X, task = self.X[idx], self.task[idx]
            H, G, r = self.forward(W, a, X, self.y[idx], task)
            count = torch.bincount(task, minlength=self.run.n_tasks).to(r.dtype)
            weight = self.fractions[task] / count[task]
            losses.append(float((weight * r * r).sum()))
            u = 2.0 * weight * r
            a = a - lr * ((self.onehot[idx] * u[:, None]).T @ H)
            if self.train_W:
                W = W - lr * ((G * u[:, None]).T @ X)
        self.flops += self.grad_flops
        return W, a, sum(losses) / len(losses)


def _integrate_flow(flow, run, tol, start):
    """Integrate one run's flow; returns its outcome as a dict."""
    epoch_time = run.lr * flow.batches
    t_cap = run.max_epochs * epoch_time
    W, a = flow.W0.clone(), flow.a0.clone()
    cur = flow.state(W, a)
    loss = float((cur[2] ** 2).mean())
    times, losses = [0.0], [loss]
    t, steps, sgd_epochs, rejected = 0.0, 0, 0, 0
    failed = False
    end = t_cap - 1e-9 * epoch_time   # t_cap, less the rounding of a sum of epochs

    def advance(W_new, a_new, dt):
        nonlocal W, a, cur, loss, t
        W, a, t = W_new, a_new, t + dt
        cur = flow.state(W, a)
        loss = float((cur[2] ** 2).mean())
        times.append(t)
        losses.append(loss)

    # cost of a flow step in gradient evaluations: guessed, then measured at each step
    flow_units = (flow.gram_flops() + flow.N ** 3 / 1.5) / flow.grad_flops + 6.0
    h = flow_units * epoch_time
    while loss >= tol and t < end:
        if h < flow_units * epoch_time:
            # The flow's step would not pay (it spans fewer SGD epochs than it costs
            # gradient evaluations), most often because samples slide along a unit's
            # kink and its vector field jumps: take LL's own SGD epochs for a while.
            for _ in range(max(SGD_BURST, int(4 * flow_units))):
                W, a, loss = flow.sgd_epoch(W, a, run.lr)
                t += epoch_time
                sgd_epochs += 1
                times.append(t)
                losses.append(loss)
                if not loss >= tol or t >= end:
                    break
            failed = not math.isfinite(loss)
            if failed:
                break
            cur = flow.state(W, a)
            h = flow_units * epoch_time
            continue
        before = flow.flops
        h = min(h, t_cap - t)
        S = flow.gram(cur)
        full, half = flow.factor(S, h), flow.factor(S, h / 2)
        (W1, a1), (Wm, am) = flow.first_steps(W, a, cur, S, full, half, h)
        W2, a2 = flow.step(Wm, am, h / 2, half, cur, flow.state(Wm, am))
        err = flow.error(W1, a1, W2, a2)
        flow_units = (flow.flops - before) / flow.grad_flops
        factor = min(GROW, max(SHRINK, 0.9 / math.sqrt(max(err, 1e-12))))
        if not err <= 1.0:   # too large, or NaN
            h *= min(factor, 0.9) if math.isfinite(err) else SHRINK
            rejected += 1
            continue
        advance(2 * W2 - W1, 2 * a2 - a1, h)
        steps += 1
        h *= factor
    converged = loss < tol
    epochs = int(math.ceil(t / epoch_time - 1e-9)) if t > 0 else 0
    return dict(W=W, a=a, loss=loss, flow_time=t, epochs=epochs,
                steps=steps + sgd_epochs * flow.batches, flow_steps=steps,
                sgd_epochs=sgd_epochs, rejected=rejected, converged=converged,
                stopped_at_max=not (converged or failed), failed=failed,
                epoch_equivalents=flow.flops / flow.grad_flops,
                history=_epoch_losses(np.array(times), np.array(losses), epoch_time, epochs),
                wall_s=time.perf_counter() - start)


def _epoch_losses(times, losses, epoch_time, epochs):
    """The loss at the end of each epoch-long stretch of flow time (log-linear in t)."""
    if epochs == 0:
        return np.zeros(0)
    grid = np.minimum(np.arange(1, epochs + 1) * epoch_time, times[-1])
    logs = np.log(np.maximum(losses, np.finfo(float).tiny))
    return np.exp(np.interp(grid, times, logs))


def train_flow(runs, config=ReluConfig(), device="cpu", dtype=torch.float64,
               record_losses=False, rtol=RTOL):
    """Integrate the full-batch gradient flow of each run (the flow that SGD follows).

    Parameters
    ----------
    runs : list of RunSpec, length M
        Runs sharing ``(K, D)``; each starts from its own ``W0, a0``. Its ``lr``
        and batches per epoch (``ceil(N / config.batch_size)``, 1 for full batch)
        set the flow time of one epoch, ``lr * nb``; ``max_epochs`` epochs of
        flow time are the cap.
    config : ReluConfig
        Uses ``batch_size`` and ``tol``: stop when the loss is below it (the full-batch
        loss after a flow step, the epoch's mean minibatch loss after an SGD epoch).
    device : str
        ``"cpu"`` or ``"cuda"``.
    dtype : torch.float64 (default) or torch.float32
        Arithmetic of the integration (float64 recommended: the Gram's Cholesky at
        large steps needs it).
    record_losses : bool
        Keep the loss at the end of each epoch of flow time in ``loss_history``.
    rtol : float in (0, 1)
        Relative error per step of each block of weights.

    Returns
    -------
    StackedResult
        ``epochs``: flow time in epochs of the run's SGD (where on SGD's time axis the
        run stopped); ``steps``: updates (accepted flow steps and SGD steps);
        ``epoch_equivalents``: the cost in full-batch gradient evaluations; ``lr``: the run's ``lr``;
        ``restarts``: 0. ``loss_history[m]``: the loss at the end of each epoch of
        flow time (interpolated between steps).
    """
    device = resolve_device(device)
    runs = check_runs(runs)
    config, dtype = check_config(config), check_dtype(dtype)
    rtol = check_scalar(rtol, "rtol", low=0, high=1)
    start = time.perf_counter()
    outs = []
    for run in runs:
        flow = _Flow(run, device, dtype, rtol, config.batch_size)
        outs.append(_integrate_flow(flow, run, config.tol, start))
    M, T = len(runs), max(r.n_tasks for r in runs)
    K, D = runs[0].shape
    W = np.stack([o["W"].double().cpu().numpy() for o in outs])
    a = np.zeros((M, T, K))
    for m, o in enumerate(outs):
        a[m, :runs[m].n_tasks] = o["a"].double().cpu().numpy()

    def col(key, kind=float):
        return np.array([o[key] for o in outs], dtype=kind)

    return StackedResult(
        W=W, a=a, n_tasks=np.array([r.n_tasks for r in runs]), loss=col("loss"),
        epochs=col("epochs", np.int64), steps=col("steps", np.int64),
        converged=col("converged", bool), stopped_at_max=col("stopped_at_max", bool),
        failed=col("failed", bool), restarts=np.zeros(M, dtype=np.int64),
        lr=np.array([r.lr for r in runs]), wall_s=col("wall_s"),
        total_wall_s=time.perf_counter() - start,
        loss_history=[o["history"] for o in outs] if record_losses else None,
        epoch_equivalents=col("epoch_equivalents"), flow_time=col("flow_time"))
