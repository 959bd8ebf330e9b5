"""The stacked ReLU trainer against the one-network loop, at LL's sizes.

Timing (default): D = 15, K = 1000, batch 128, SGD at lr 1.0, float32, STL
runs on LL's teacher, a fixed number of epochs (no stopping: tol is set to
1e-30). ``train_stacked`` trains ``--M`` networks (different seeds) at once;
``train_one`` (LL's loop) trains ``--loop-networks`` of the same networks one
after the other. Both are reported per network-epoch, with their ratio.

Shares (``--shares``): for each regime (pretraining, STL, PT+FT, PT+FT (LP),
MTL) at n = 64 and 512 (pretraining: its 1,024 samples, full batch), the
stacked trainer's time per network-epoch against the time ``torch.bmm`` needs
for the two products of every SGD step at the same shapes, ``X W^T`` (b x D by
D x K) and ``X^T dZ`` (D x b by b x K), at its best batching (1, 2, 4 or M
networks per call). The share is that bmm time over the trainer's time.

Convergence (``--convergence``): epochs that LL's full protocol needs to
reach its 1e-8 stop for STL, PT+FT (s = 1 and 0.1) and MTL at each ``--ns``,
one seed, all runs of one regime stacked (pretraining first, on the
auxiliary task, full-batch GD).

Run ``python benchmarks/relu_stacked.py [--ns 64,128,256,512] [--M 32]
[--epochs 50] [--device cpu|cuda] [--json FILE]`` or
``python benchmarks/relu_stacked.py --convergence [--ns 16,64,256] [--max-epochs E]`` or
``python benchmarks/relu_stacked.py --shares [--M 32] [--epochs 10] [--dtypes float32,float64]``.
Uses one CPU thread (``torch.set_num_threads``) unless ``--threads`` says otherwise.
"""
import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from featreuse import nets  # noqa: E402
from benchmarks.suite.problems import relu_stack  # noqa: E402


def _stl_runs(n, M, epochs, config):
    return relu_stack(n, M=M, epochs=epochs, config=config)[0]


def _sync(device):
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def timing(args):
    config = nets.ReluConfig(tol=1e-30)
    dtype = getattr(torch, args.dtype)
    rows = []
    for n in args.ns:
        runs = _stl_runs(n, args.M, args.epochs, config)
        # Warm-up (allocations, kernels) on a short copy of the stack.
        nets.train_stacked(_stl_runs(n, args.M, 2, config), config, device=args.device,
                           dtype=dtype)
        _sync(args.device)
        t0 = time.perf_counter()
        stacked = nets.train_stacked(runs, config, device=args.device, dtype=dtype)
        _sync(args.device)
        # Per network-epoch of the result's epoch counts: a run that diverges restarts at
        # lr / 10 (LL's protocol), so with restarts the figure is approximate.
        t_stacked = (time.perf_counter() - t0) / max(int(np.sum(stacked.epochs)), 1)
        if stacked.restarts.any():
            print(f"n={n}: {int(np.count_nonzero(stacked.restarts))} of {args.M} networks "
                  "restarted (diverged at this lr); the time is per epoch counted", flush=True)
        loop_runs = runs[:args.loop_networks]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", nets.ConvergenceWarning)
            nets.train_one(_stl_runs(n, 1, 2, config)[0], config, device=args.device,
                           dtype=dtype)
            _sync(args.device)
            t0 = time.perf_counter()
            loop = [nets.train_one(r, config, device=args.device, dtype=dtype)
                    for r in loop_runs]
            _sync(args.device)
        t_loop = (time.perf_counter() - t0) / (len(loop_runs) * args.epochs)
        diff = max(float(np.abs(r.W - stacked.W[m]).max() / np.abs(r.W).max())
                   for m, r in enumerate(loop))
        rows.append(dict(n=n, batches_per_epoch=-(-n // config.batch_size), M=args.M,
                         epochs=args.epochs, stacked_us=t_stacked * 1e6,
                         loop_us=t_loop * 1e6, ratio=t_loop / t_stacked,
                         max_rel_W_diff=diff))
        print(f"n={n:5d}  stacked {t_stacked * 1e6:9.1f} us  loop {t_loop * 1e6:9.1f} us  "
              f"ratio {t_loop / t_stacked:5.2f}  (max rel. |W| diff {diff:.1e})", flush=True)
    print()
    print(f"{'n':>5} {'batches':>7} {'stacked us/net-epoch':>21} {'loop us/net-epoch':>18} "
          f"{'loop/stacked':>12}")
    for r in rows:
        print(f"{r['n']:5d} {r['batches_per_epoch']:7d} {r['stacked_us']:21.1f} "
              f"{r['loop_us']:18.1f} {r['ratio']:12.2f}")
    return rows


REGIMES = ("pretrain", "stl", "ptft", "ptft_lp", "mtl")


def regime_stack(regime, n, M, epochs, config):
    """M runs of one regime on LL's teacher (seeds 0..M-1), each stopping after ``epochs``."""
    teacher = nets.make_teacher(0, D=config.D, n_main_units=6, rho=0.9)
    Xa, ya = nets.aux_data(0, teacher)
    W0, a0 = nets.init_params(range(M), config)
    W02, a02 = nets.init_params(range(M), config, n_tasks=2)
    runs = []
    for m in range(M):
        X, y = nets.main_data(m, teacher=teacher, n=n)
        run = {"pretrain": lambda: nets.pretrain_run(Xa, ya, W0[m], a0[m], config),
               "stl": lambda: nets.stl_run(X, y, W0[m], a0[m], m, config),
               "ptft": lambda: nets.ptft_run(W0[m] * 0.1, X, y, 1.0, m, config),
               "ptft_lp": lambda: nets.ptft_run(W0[m] * 0.1, X, y, 1.0, m, config,
                                                train="readout"),
               "mtl": lambda: nets.mtl_run(Xa, ya, X, y, W02[m], a02[m], m, config)}[regime]()
        runs.append(nets.RunSpec(run.Xs, run.ys, run.W0, run.a0, lr=run.lr,
                                 shuffle_seed=run.shuffle_seed, train=run.train,
                                 full_batch=run.full_batch, max_epochs=epochs))
    return runs


def _median_time(f, reps):
    f()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def bmm_seconds(run, batch_size, M, dtype, reps=20):
    """Seconds per network-epoch of ``torch.bmm`` for the two products of each step of ``run``."""
    K, D = run.shape
    N = run.n_samples
    widths = [N] if run.full_batch else [min(batch_size, N - i) for i in range(0, N, batch_size)]
    total = 0.0
    for w in sorted(set(widths)):
        best = np.inf
        for c in sorted({1, 2, 4, M}):
            X = torch.randn(c, w, D, dtype=dtype)
            Wt = torch.randn(c, D, K, dtype=dtype)
            Z = torch.empty(c, w, K, dtype=dtype)
            G = torch.empty(c, D, K, dtype=dtype)

            def products():
                torch.bmm(X, Wt, out=Z)
                torch.bmm(X.transpose(1, 2), Z, out=G)
            best = min(best, _median_time(products, reps) / c)
        total += best * widths.count(w)
    return total


def shares(args):
    config = nets.ReluConfig(tol=1e-30)
    rows = []
    print(f"{'dtype':8} {'regime':9} {'n':>5} {'us/net-epoch':>13} {'bmm us':>9} {'share':>6}")
    for dtype_name in args.dtypes:
        dtype = getattr(torch, dtype_name)
        for regime in REGIMES:
            for n in ((1024,) if regime == "pretrain" else args.ns):
                runs = regime_stack(regime, n, args.M, args.epochs, config)
                warm = regime_stack(regime, n, args.M, 2, config)
                nets.train_stacked(warm, config, device=args.device, dtype=dtype)
                seconds = []
                for _ in range(3):
                    t0 = time.perf_counter()
                    res = nets.train_stacked(runs, config, device=args.device, dtype=dtype)
                    seconds.append((time.perf_counter() - t0) / int(res.epochs.sum()))
                ours = float(np.median(seconds))
                ref = bmm_seconds(runs[0], config.batch_size, args.M, dtype)
                rows.append(dict(dtype=dtype_name, regime=regime, n=n, us=ours * 1e6,
                                 bmm_us=ref * 1e6, share=ref / ours))
                print(f"{dtype_name:8} {regime:9} {n:5d} {ours * 1e6:13.1f} {ref * 1e6:9.1f} "
                      f"{ref / ours:6.0%}", flush=True)
    return rows


def convergence(args):
    config = nets.ReluConfig(max_epochs=args.max_epochs, lr=args.lr,
                             max_pretrain_steps=args.max_pretrain_steps)
    dtype = getattr(torch, args.dtype)
    seed = 0
    teacher = nets.make_teacher(seed, D=config.D, n_main_units=6, rho=0.9)
    Xa, ya = nets.aux_data(seed, teacher)
    W0, a0 = nets.init_params([seed], config, n_tasks=1)
    t0 = time.perf_counter()
    pre = nets.train_stacked([nets.pretrain_run(Xa, ya, W0[0], a0[0], config)], config,
                             device=args.device, dtype=dtype).network(0)
    rows = [dict(regime="pretrain (GD)", n=1024, epochs=pre.epochs, converged=pre.converged,
                 loss=pre.loss, restarts=pre.restarts, wall_s=time.perf_counter() - t0)]
    print(rows[-1], flush=True)
    data = {n: nets.main_data(seed, teacher=teacher, n=n) for n in args.ns}
    W02, a02 = nets.init_params([seed], config, n_tasks=2)
    regimes = {
        "stl": [nets.stl_run(*data[n], W0[0], a0[0], seed, config) for n in args.ns],
        "ptft s=1": [nets.ptft_run(pre.W, *data[n], 1.0, seed, config) for n in args.ns],
        "ptft s=0.1": [nets.ptft_run(pre.W, *data[n], 0.1, seed, config) for n in args.ns],
        "mtl": [nets.mtl_run(Xa, ya, *data[n], W02[0], a02[0], seed, config) for n in args.ns],
    }
    for name, runs in regimes.items():
        if args.regimes and name not in args.regimes:
            continue
        t0 = time.perf_counter()
        res = nets.train_stacked(runs, config, device=args.device, dtype=dtype)
        for m, n in enumerate(args.ns):
            rows.append(dict(regime=name, n=n, lr=args.lr, epochs=int(res.epochs[m]),
                             converged=bool(res.converged[m]), loss=float(res.loss[m]),
                             restarts=int(res.restarts[m]), wall_s=float(res.wall_s[m])))
            print(rows[-1], flush=True)
        print(f"  {name}: stack of {len(runs)} took {time.perf_counter() - t0:.1f} s", flush=True)
    return rows


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--ns", type=lambda s: [int(v) for v in s.split(",")], default=None)
    p.add_argument("--M", type=int, default=32, help="networks in the stack")
    p.add_argument("--loop-networks", type=int, default=8, help="networks timed in the loop")
    p.add_argument("--epochs", type=int, default=None,
                   help="epochs per network (default: 50; --shares: 10)")
    p.add_argument("--device", default="cpu")
    p.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--convergence", action="store_true")
    p.add_argument("--shares", action="store_true")
    p.add_argument("--dtypes", type=lambda s: s.split(","), default=["float32", "float64"],
                   help="--shares: the dtypes measured")
    p.add_argument("--regimes", type=lambda s: s.split(","), default=None,
                   help="--convergence: only these (stl, 'ptft s=1', 'ptft s=0.1', mtl)")
    p.add_argument("--lr", type=float, default=1.0, help="--convergence: SGD learning rate")
    p.add_argument("--max-epochs", type=int, default=100_000)
    p.add_argument("--max-pretrain-steps", type=int, default=100_000)
    p.add_argument("--json", default=None)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    nets.resolve_device(args.device)
    if args.shares:
        args.ns = args.ns or [64, 512]
        args.epochs = args.epochs or 10
        rows = shares(args)
    elif args.convergence:
        args.ns = args.ns or [16, 64, 256]
        rows = convergence(args)
    else:
        args.ns = args.ns or [64, 128, 256, 512]
        args.epochs = args.epochs or 50
        rows = timing(args)
    if args.json:
        meta = dict(device=args.device, dtype=args.dtype, threads=args.threads,
                    torch=torch.__version__)
        Path(args.json).write_text(json.dumps(dict(meta=meta, rows=rows), indent=2))


if __name__ == "__main__":
    main()
