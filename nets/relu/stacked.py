"""Many ReLU networks trained at once with batched matmuls.

Each run of the stack follows exactly the protocol of :func:`featreuse.nets.train_one`
(its own learning rate, minibatch orders, stopping rule, restarts at lr / 10
and epoch limit); only the arithmetic is organised differently:

* Gradients are written out instead of taken by autograd. With
  ``Z = X W^T``, ``H = ReLU(Z)``, ``out = H a^T`` and per-sample-and-task
  loss weights ``C`` (``C_it = (n_t/N) / b_t`` for the ``b_t`` samples of task
  t in the batch, 0 otherwise), the batch loss is
  ``L = sum_it C_it (out_it - y_i)^2``; with ``E = 2 C (out - y)``,
  ``dL/da = E^T H`` and ``dL/dW = (E a * 1(Z > 0))^T X``. The outputs are one
  single-row product ``a_t H^T`` per task. With one task the weight gradient
  is ``a * G`` with ``G = (E * X)^T 1(Z > 0)`` (D x K), and, the ReLU being
  positively homogeneous (``H = 1(Z > 0) * (X W^T)``), the readout gradient
  ``sum_i E_i H_ik`` equals ``sum_d W_kd G_dk``: it comes from ``G`` without
  another pass over the ``(b, K)`` activations. Runs that train only the
  readout take ``E^T H``.
* Runs are kept in "positions": active runs first, sorted by batch size and
  then by batches per epoch, so that the runs having a b-th minibatch are a
  prefix of their group. Each minibatch step then runs over contiguous
  slices ("chunks") of positions with ``torch.bmm``.
* On CPU a chunk holds as many runs as keep its ``(c, batch, K)``
  intermediate within ``chunk_bytes`` (cache-sized; one run at LL's sizes),
  which keeps the work in cache; on CUDA a chunk holds every eligible run.
* The host looks at the losses once per epoch (one device sync), decides
  stops and restarts, and draws the next minibatch orders.

A stopped run is no longer stepped, so its weights do not change. A run that
diverges part-way through an epoch is restarted at the end of that epoch
(from its initial weights, at lr / 10, with its minibatch stream started
again), which gives the same result as restarting at once.
"""
import time

import numpy as np
import torch

from ..device import resolve_device
from featreuse.errors import InputError
from .checks import check_config, check_dtype, check_runs
from .epochs import EpochOrders
from .model import ReluConfig
from .results import StackedResult
from featreuse.validation import check_scalar

CPU_CHUNK_BYTES = 1 << 19   # keeps one (batch 128 x K 1000) float32 slab in a 2 MiB L2 cache


class _Stack:
    """Device state of M runs in position order, and the host bookkeeping."""

    def __init__(self, runs, config, device, dtype, chunk_bytes, record_losses):
        self.runs, self.config, self.device, self.dtype = runs, config, device, dtype
        self.history = [[] for _ in runs] if record_losses else None
        self.chunk_bytes = chunk_bytes
        M = len(runs)
        K, D = runs[0].shape
        self.K, self.D = K, D
        self.T = max(run.n_tasks for run in runs)
        self.N = np.array([run.n_samples for run in runs])
        self.bs = np.array([run.n_samples if run.full_batch else config.batch_size
                            for run in runs])
        self.nb = -(-self.N // self.bs)
        self.train_W = np.array([run.train == "all" for run in runs])
        self.n_tasks = np.array([run.n_tasks for run in runs])
        self.max_epochs = np.array([run.max_epochs for run in runs])
        self.full = np.array([run.full_batch for run in runs])
        Nmax = int(self.N.max())
        self.Lmax = int((self.nb * self.bs).max())
        # Padded data: row Nmax of every run is a zero sample of no task (-1).
        X = np.zeros((M, Nmax + 1, D))
        y = np.zeros((M, Nmax + 1))
        self.tasks = np.full((M, Nmax + 1), -1)
        self.fractions = np.zeros((M, self.T))
        W0 = np.empty((M, D, K))
        a0 = np.zeros((M, self.T, K))
        for m, run in enumerate(runs):
            X[m, :self.N[m]] = np.concatenate(run.Xs)
            y[m, :self.N[m]] = np.concatenate(run.ys)
            self.tasks[m, :self.N[m]] = np.repeat(np.arange(run.n_tasks), run.task_sizes)
            self.fractions[m, :run.n_tasks] = run.task_sizes / run.n_samples
            W0[m] = run.W0.T
            a0[m, :run.n_tasks] = run.a0
        self.pad_index = Nmax

        def tensor(arr, dt=dtype):
            return torch.as_tensor(arr, dtype=dt, device=device).contiguous()

        # Per-position device tensors (reordered together by _reorder).
        self.dev = dict(X=tensor(X), y=tensor(y), Wt0=tensor(W0), a0=tensor(a0),
                        Wt=tensor(W0), a=tensor(a0),
                        lr=tensor([run.lr for run in runs]),
                        lrW=tensor([run.lr * tw for run, tw in zip(runs, self.train_W)]))
        # Per-epoch buffers (rows 0..A-1 are the active positions).
        self.Xp = torch.zeros((M, self.Lmax, D), dtype=dtype, device=device)
        self.yp = torch.zeros((M, 1, self.Lmax), dtype=dtype, device=device)
        self.Cp = torch.zeros((M, self.T, self.Lmax), dtype=dtype, device=device)
        self.losses = torch.zeros((M, int(self.nb.max())), dtype=torch.float64, device=device)
        self.tol2 = torch.tensor(2 * config.tol, dtype=dtype, device=device)
        # Host bookkeeping, by run id.
        self.ids = np.arange(M)                     # run id at each position
        self.lr = np.array([run.lr for run in runs], dtype=float)
        self.orders = [EpochOrders(run.shuffle_seed, run.n_samples) for run in runs]
        self.active = np.ones(M, dtype=bool)
        self.epochs = np.zeros(M, dtype=np.int64)
        self.steps = np.zeros(M, dtype=np.int64)
        self.restarts = np.zeros(M, dtype=np.int64)
        self.loss = np.full(M, np.nan)
        self.converged = np.zeros(M, dtype=bool)
        self.at_max = np.zeros(M, dtype=bool)
        self.failed = np.zeros(M, dtype=bool)
        self.wall = np.zeros(M)
        self.n_active = 0
        self.plan = None

    # --- layout -----------------------------------------------------------

    def _reorder(self):
        """Put active runs first, sorted so that each minibatch's runs are group prefixes."""
        act = np.flatnonzero(self.active)
        key = np.lexsort((act, -self.N[act], -self.train_W[act].astype(int), -self.nb[act],
                          -self.bs[act]))
        new_ids = np.concatenate([act[key], np.flatnonzero(~self.active)])
        position = np.empty_like(self.ids)
        position[self.ids] = np.arange(len(self.ids))
        perm = torch.as_tensor(position[new_ids], device=self.device)
        for name, value in self.dev.items():
            self.dev[name] = value.index_select(0, perm)
        self.ids = new_ids
        self.n_active = len(act)
        self._build_plan()

    def _chunk_size(self, width):
        if self.chunk_bytes is None:
            return self.n_active
        per_run = width * self.K * self.Xp.element_size()
        return max(1, self.chunk_bytes // per_run)

    def _build_plan(self):
        """List, per minibatch index b, the chunk steps of one epoch (with their views)."""
        A, ids = self.n_active, self.ids[:self.n_active]
        bs, nb, N = self.bs[ids], self.nb[ids], self.N[ids]
        dev = self.dev
        max_elems = 0
        self.plan = []
        for b in range(int(nb.max()) if A else 0):
            eligible = nb > b
            width = np.minimum(bs, N - b * bs)
            lo = 0
            while lo < A:
                if not eligible[lo]:
                    lo += 1
                    continue
                hi = lo
                while hi < A and eligible[hi] and bs[hi] == bs[lo]:
                    hi += 1
                c = self._chunk_size(int(width[lo:hi].max()))
                for start in range(lo, hi, c):
                    stop = min(hi, start + c)
                    w, off = int(width[start:stop].max()), b * int(bs[start])
                    max_elems = max(max_elems, (stop - start) * w * self.K)
                    sl = slice(start, stop)
                    self.plan.append(dict(
                        X=self.Xp[sl, off:off + w], y=self.yp[sl, :, off:off + w],
                        C2=self.Cp[sl, :, off:off + w], Wt=dev["Wt"][sl], a=dev["a"][sl],
                        lr=dev["lr"][sl].view(-1, 1, 1), lrW=dev["lrW"][sl].view(-1, 1, 1),
                        loss=self.losses[sl, b], shape=(stop - start, w, self.K),
                        train_W=bool(self.train_W[ids[sl]].any()),
                        full=bool(self.full[ids[sl]].any())))
                lo = hi
        self.Z = torch.empty(max_elems, dtype=self.dtype, device=self.device)
        for step in self.plan:
            c, w, K = step["shape"]
            step["Z"] = self.Z[:c * w * K].view(c, w, K)

    # --- one epoch ----------------------------------------------------------

    def _fill_epoch(self, layout_changed):
        """Draw each active run's order and lay its epoch of samples out in Xp, yp, Cp.

        The loss weights ``C`` depend on the order only through the tasks of
        each minibatch; when every active run has one task they stay as they
        were, and are rebuilt only after the layout changed.
        """
        A, ids = self.n_active, self.ids[:self.n_active]
        idx = np.full((A, self.Lmax), self.pad_index)
        for j, m in enumerate(ids):
            idx[j, :self.N[m]] = np.arange(self.N[m]) if self.full[m] else self.orders[m].next()
        # Rows of the flattened (positions x samples) data, one index_select each.
        rows = torch.as_tensor((idx + np.arange(A)[:, None] * (self.pad_index + 1)).ravel(),
                               device=self.device)
        torch.index_select(self.dev["X"].view(-1, self.D), 0, rows,
                           out=self.Xp[:A].view(-1, self.D))
        torch.index_select(self.dev["y"].view(-1), 0, rows, out=self.yp[:A, 0].view(-1))
        self.losses.zero_()
        if not layout_changed and self.n_tasks[ids].max() == 1:
            return
        tasks = np.take_along_axis(self.tasks[ids], idx, axis=1)
        nbmax = int(self.nb[ids].max())
        batch = np.arange(self.Lmax)[None, :] // self.bs[ids][:, None]
        rows, cols = np.nonzero(tasks >= 0)
        t = tasks[rows, cols]
        key = (rows * nbmax + batch[rows, cols]) * self.T + t
        counts = np.bincount(key, minlength=A * nbmax * self.T)
        C = np.zeros((A, self.T, self.Lmax))
        # Twice the loss weights, so that E = C2 (out - y) is dL/d out; the losses
        # buffer then holds 2 L, halved (exactly) on the host.
        C[rows, t, cols] = 2 * self.fractions[ids[rows], t] / counts[key]
        self.Cp[:A].copy_(torch.as_tensor(C, dtype=self.dtype))

    def _step(self, s):
        """One SGD (or GD) step of one chunk; writes twice the chunk's batch losses."""
        X, Wt, a = s["X"], s["Wt"], s["a"]
        Z = torch.bmm(X, Wt, out=s["Z"])                            # (c, w, K)
        H = Z.relu_()
        T = a.shape[1]
        if T == 1:
            R = torch.baddbmm(s["y"], a, H.transpose(1, 2), beta=-1.0)  # out - y, (c, 1, w)
        else:
            # One product per task: MKL's AVX2 path has a fast kernel for a single row only.
            R = torch.cat([torch.baddbmm(s["y"], a[:, t:t + 1], H.transpose(1, 2), beta=-1.0)
                           for t in range(T)], dim=1)                # (c, T, w)
        E = R * s["C2"]                                             # dL/d out
        loss2 = (E * R).sum(dim=(1, 2))                             # 2 L
        s["loss"].copy_(loss2)
        lr, lrW = s["lr"], s["lrW"]
        if s["full"]:
            # GD takes no step from a point whose loss is already below tol.
            go = (loss2 >= self.tol2).to(self.dtype).view(-1, 1, 1)
            lr, lrW = lr * go, lrW * go
        if not s["train_W"]:
            a.addcmul_(torch.bmm(E, H), lr, value=-1.0)
            return
        if T == 1:
            mask = H.ne_(0)                                         # 1(Z > 0), in place
            G = torch.bmm((E.transpose(1, 2) * X).transpose(1, 2), mask)    # (c, D, K)
            grad_a = (G * Wt).sum(dim=1, keepdim=True)              # (c, 1, K)
            Wt.addcmul_(G, a * lrW, value=-1.0)
        else:
            grad_a = torch.cat([torch.bmm(E[:, t:t + 1], H) for t in range(T)], dim=1)
            mask = H.ne_(0)
            # dL/dZ = (E^T a) * 1(Z > 0): one (D, b) x (b, K) product for all tasks.
            dZ = torch.bmm(E.transpose(1, 2), a).mul_(mask)          # (c, w, K)
            Wt.sub_(torch.bmm(X.transpose(1, 2), dZ).mul_(lrW))
        a.addcmul_(grad_a, lr, value=-1.0)

    def _end_epoch(self, start):
        """Read the epoch's losses; stop, restart or continue each active run."""
        A, ids = self.n_active, self.ids[:self.n_active]
        losses = self.losses[:A].cpu().numpy() / 2
        now = time.perf_counter() - start
        cfg = self.config
        nb = self.nb[ids]
        inside = np.arange(losses.shape[1])[None, :] < nb[:, None]
        diverged = ~np.all(~inside | (losses <= cfg.divergence_loss), axis=1)  # NaN too
        self.epochs[ids] += 1
        failed = diverged & (self.restarts[ids] == cfg.max_restarts)
        for j in np.flatnonzero(diverged & ~failed):
            self._restart(j, ids[j])
        ok = ~diverged
        m_ok = ids[ok]
        mean = np.where(inside[ok], losses[ok], 0.0).sum(axis=1) / nb[ok]
        self.steps[m_ok] += np.where(self.full[m_ok], losses[ok, 0] >= cfg.tol, nb[ok])
        self.loss[m_ok] = mean
        if self.history is not None:
            for m, value in zip(m_ok, mean):
                self.history[m].append(float(value))
        converged = mean < cfg.tol
        stop = converged | (self.epochs[m_ok] >= self.max_epochs[m_ok])
        m_stop = m_ok[stop]
        self.converged[m_stop] = converged[stop]
        self.at_max[m_stop] = ~converged[stop]
        m_failed = ids[failed]
        self.failed[m_failed], self.loss[m_failed] = True, np.nan
        done = np.concatenate([m_stop, m_failed])
        self.active[done], self.wall[done] = False, now
        return len(done) > 0

    def _restart(self, j, m):
        self.restarts[m] += 1
        self.lr[m] = self.lr[m] / 10
        self.epochs[m] = self.steps[m] = 0
        if self.history is not None:
            self.history[m] = []
        self.orders[m] = EpochOrders(self.runs[m].shuffle_seed, self.runs[m].n_samples)
        dev = self.dev
        dev["Wt"][j].copy_(dev["Wt0"][j])
        dev["a"][j].copy_(dev["a0"][j])
        dev["lr"][j] = self.lr[m]
        dev["lrW"][j] = self.lr[m] * self.train_W[m]

    def run(self):
        start = time.perf_counter()
        changed = True
        while self.active.any():
            if changed:
                self._reorder()
            if changed or not self.full[self.ids[:self.n_active]].all():
                self._fill_epoch(changed)
            else:
                # Full-batch runs see the same samples in the same order every step (a
                # restart too): the layout of the last fill stands; only the losses reset.
                self.losses.zero_()
            for s in self.plan:
                self._step(s)
            changed = self._end_epoch(start)
        position = np.empty_like(self.ids)
        position[self.ids] = np.arange(len(self.ids))
        index = torch.as_tensor(position, device=self.device)
        W = self.dev["Wt"].index_select(0, index).transpose(1, 2).double().cpu().numpy()
        a = self.dev["a"].index_select(0, index).double().cpu().numpy()
        return StackedResult(W=W, a=a, n_tasks=np.array([r.n_tasks for r in self.runs]),
                             loss=self.loss, epochs=self.epochs, steps=self.steps,
                             converged=self.converged, stopped_at_max=self.at_max,
                             failed=self.failed, restarts=self.restarts, lr=self.lr,
                             wall_s=self.wall, total_wall_s=time.perf_counter() - start,
                             loss_history=None if self.history is None else
                             [np.array(h) for h in self.history])


def train_stacked(runs, config=ReluConfig(), device="cpu", dtype=torch.float32,
                  chunk_bytes="auto", record_losses=False):
    """Train many networks at once, each exactly as :func:`featreuse.nets.train_one` would.

    Parameters
    ----------
    runs : list of RunSpec, length M
        Runs sharing ``(K, D)``; they may differ in data size, number of
        tasks, learning rate, seed, ``train``, ``full_batch`` and
        ``max_epochs``.
    config : ReluConfig
        Uses ``batch_size``, ``tol``, ``divergence_loss`` and ``max_restarts``.
    device : str
        ``"cpu"`` or ``"cuda"`` (checked first, see :func:`featreuse.nets.resolve_device`).
    dtype : torch.float32 or torch.float64
    chunk_bytes : "auto", None or int > 0
        Size limit of a chunk's ``(runs, batch, K)`` hidden activations.
        ``"auto"``: 512 KiB on CPU, no limit on CUDA. ``None``: no limit.
    record_losses : bool
        Keep every epoch's loss (of the last attempt) in ``loss_history``.

    Returns
    -------
    StackedResult
        A run that still diverges after ``config.max_restarts`` restarts is
        marked ``failed``; one that reaches its ``max_epochs`` is marked
        ``stopped_at_max`` (and not ``converged``). No warning is raised.
    """
    device = resolve_device(device)
    runs = check_runs(runs)
    config, dtype = check_config(config), check_dtype(dtype)
    if isinstance(chunk_bytes, str):
        if chunk_bytes != "auto":
            raise InputError(f"chunk_bytes must be 'auto', None or a positive integer, "
                             f"got {chunk_bytes!r}")
        chunk_bytes = CPU_CHUNK_BYTES if device.type == "cpu" else None
    elif chunk_bytes is not None:
        chunk_bytes = check_scalar(chunk_bytes, "chunk_bytes", low=1, low_inclusive=True,
                                   integer=True)
    return _Stack(runs, config, device, dtype, chunk_bytes, bool(record_losses)).run()
