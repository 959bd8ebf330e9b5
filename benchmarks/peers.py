"""featreuse against its peers on the paper's diagonal problem, in one process.

Peers: the loop of LL's released code (``torch.optim.SGD`` on full-batch
``F.mse_loss``, one ``.item()`` per step, float32 as LL ran it, float64 too),
cvxpy with its default solver (Clarabel), scipy. Problem: D = 1000,
n_aux = 1024, n_main = 64, alpha = 1e-3, LL's teacher with ``--overlap`` of the
main task's 40 features shared (default 40: every feature shared, where the
torch loops are slowest to converge; at overlap 0-30 they need 10-30x fewer
finetuning steps, which lowers the ratios of the flow rows accordingly).

Run ``python -m benchmarks.peers [--overlap K] [--mtl-overlaps 40,30,20,0] [--quick] [--json FILE]
[--mtl-torch-seconds S]``.
Every row is timed on the same machine, one after the other: the peers once,
our finetuning and MTL flows as the median of 9 and 5 calls (they take
milliseconds to a second, where a shared machine's noise is largest); read
ratios, not seconds. Our side of each row is a :func:`featreuse.compare` call
(its table's ``wall_s``; the fast convex backend as the reference, so its
``distance`` says how far the trained predictor is from its program's
minimiser); the peers are LL's torch loop (:mod:`featreuse.nets.diagonal.reference`,
float32 as LL ran it, and float64) and cvxpy (:mod:`benchmarks.convex_peers`).
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

from featreuse import solvers  # noqa: E402
from benchmarks.suite.problems import paper_problem  # noqa: E402
from featreuse.analysis.compare import compare, problems  # noqa: E402
from featreuse.nets.diagonal.reference import reference_gd_multi, reference_gd_single  # noqa: E402
from featreuse.solvers.gd_kernels import gd_single  # noqa: E402


def _rel(a, b):
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


def _ours(problem, method, repeats):
    """(median wall seconds, beta, table row) of ``method`` on ``problem`` by compare."""
    cmp = compare(problem, [method], repeats=repeats, curves=False)
    row = cmp.table.iloc[0]
    if row["status"] != "ok":
        raise RuntimeError(f"{problem.name} {method}: {row['status']}")
    return float(row["wall_s"]), cmp.betas[method], row


def finetune_rows(Xa, ya, Xm, ym, torch_seconds):
    """Finetuning: exact flow end vs the torch loop (lr 0.1) reaching loss 1e-10."""
    pre = solvers.train_single(Xa, ya, init=1e-3)
    ft_init = solvers.diagonal.finetune_init(pre.params, 1.0, 1e-3)
    problem = problems.finetune(Xm, ym, pre, rescale=1.0, readout_init=1e-3, reference="newton")
    t_ours, beta_ours, _ = _ours(problem, "flow", 9)
    rows = []
    for dtype in (torch.float32, torch.float64):
        ref = reference_gd_single(Xm, ym, ft_init, lr=0.1, tol=1e-10, dtype=dtype,
                                  max_seconds=torch_seconds)
        beta_ref = ref["params"][0] * ref["params"][1] - ref["params"][2] * ref["params"][3]
        rows.append(dict(
            case=f"PT+FT finetune (n=64): flow end vs torch GD {str(dtype)[6:]} to 1e-10",
            ours_s=t_ours, peer_s=ref["wall_s"], ratio=ref["wall_s"] / t_ours,
            rel_diff_beta=_rel(beta_ours, beta_ref),
            note=f"torch {ref['steps']} steps, loss {ref['loss']:.1e}"
                 + ("" if ref["converged"] else " (NOT converged: ratio is a lower bound)")))
    t_gd, beta_gd, gd = _ours(problem, "gd", 3)
    rows.append(dict(case="PT+FT finetune (n=64): numba GD (lr 0.1) vs flow end, same problem",
                     ours_s=t_ours, peer_s=t_gd, ratio=t_gd / t_ours,
                     rel_diff_beta=_rel(beta_ours, beta_gd),
                     note=f"GD {gd['steps']} steps (median of {gd['calls']} calls)"))
    return rows


def gd_step_rows(Xa, ya, Xm, ym, steps=2000):
    """Per-step cost: numba GD kernel vs the torch loop (float32 and float64)."""
    rows = []
    for name, X, y in (("n=64", Xm, ym), ("n=1024", Xa, ya)):
        init = np.full((4, X.shape[1]), 1e-3)
        gd_single(X, y, init[None], np.array([0.1]), 0.0, 5, False, 0, 100.0)
        t0 = time.perf_counter()
        gd_single(X, y, init[None], np.array([0.1]), 0.0, steps, False, 0, 100.0)
        ours = (time.perf_counter() - t0) / steps
        for dtype in (torch.float32, torch.float64):
            ref = reference_gd_single(X, y, init, lr=0.1, tol=0.0, max_steps=steps, dtype=dtype)
            peer = ref["wall_s"] / steps
            rows.append(dict(case=f"GD per step {name}: numba float64 vs torch {str(dtype)[6:]}",
                             ours_s=ours, peer_s=peer, ratio=peer / ours, rel_diff_beta=np.nan,
                             note=f"{steps} steps"))
    # batching: 16 runs sharing X
    inits = [float(a) for a in np.logspace(-3, -1, 16)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        solvers.train_single_batch(Xm, ym, inits, method="gd", tol=0.0, max_steps=steps)
        batched = (time.perf_counter() - t0) / (steps * len(inits))
    rows.append(dict(case="GD per run-step n=64, 16 runs batched vs torch float32 one run",
                     ours_s=batched, peer_s=rows[0]["peer_s"], ratio=rows[0]["peer_s"] / batched,
                     rel_diff_beta=np.nan, note="one pass over X per step for the batch"))
    return rows


def mtl_rows(overlaps, torch_seconds, seed=0):
    """MTL flow to loss 1e-10 vs the torch loop (lr 0.1, float32) to 1e-7, per overlap.

    The torch loop is LL's; it is stopped at 1e-7 (it needs 10^5 steps and more to get
    there, and far more to 1e-10), so every ratio is a lower bound of the one at equal
    tolerance. Returns the per-overlap rows and a summary row (median and slowest ratio).
    """
    rows = []
    for overlap in overlaps:
        Xa, ya, Xm, ym = paper_problem(seed=seed, overlap=overlap)
        problem = problems.min_l12([Xa, Xm], [ya, ym], init=1e-3, reference="reduced-clarabel")
        t_ours, beta_ours, flow = _ours(problem, "flow", 5)
        init = np.full((3, 2, Xa.shape[1]), 1e-3)
        ref = reference_gd_multi([Xa, Xm], [ya, ym], init, lr=0.1, tol=1e-7, dtype=torch.float32,
                                 max_seconds=torch_seconds)
        p = ref["params"]
        beta_ref = (p[0][0] * p[2][0] - p[0][1] * p[2][1])
        rows.append(dict(
            case=f"MTL (n=1024+64, overlap {overlap}): flow to 1e-10 vs torch GD f32 to 1e-7",
            ours_s=t_ours, peer_s=ref["wall_s"], ratio=ref["wall_s"] / t_ours,
            rel_diff_beta=_rel(beta_ours[:, 1], beta_ref),
            note=f"flow {flow['steps']} steps, {flow['distance']:.1e} from min-l12; "
                 f"torch {ref['steps']} steps, loss {ref['loss']:.1e}"
                 + ("" if ref["converged"] else " (torch NOT converged: ratio is a lower bound)")))
    ratios = np.array([r["ratio"] for r in rows])
    slowest = rows[int(np.argmin(ratios))]
    rows.append(dict(case=f"MTL over overlaps {','.join(map(str, overlaps))}: median ratio "
                          f"(slowest case below)", ours_s=np.median([r["ours_s"] for r in rows]),
                     peer_s=np.median([r["peer_s"] for r in rows]), ratio=float(np.median(ratios)),
                     rel_diff_beta=np.nan,
                     note=f"slowest: {slowest['case'].split(':')[0]}, {slowest['ratio']:.0f}x"))
    return rows


def machine():
    """One line describing the machine and the libraries that set the speed."""
    import os
    import platform
    cpu = platform.processor() or "cpu"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    blas = "?"
    try:
        from threadpoolctl import threadpool_info
        blas = ", ".join(sorted({f"{i['internal_api']} {i.get('version') or ''}".strip()
                                 for i in threadpool_info()}))
    except ImportError:
        pass
    return (f"{cpu}; {os.cpu_count()} logical cores; {platform.system()} {platform.release()}; "
            f"python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__}"
            f"; BLAS: {blas}; every row one thread")


def convex_rows():
    from benchmarks.convex_peers import peer_rows
    rows = []
    for r in peer_rows():
        rows.append(dict(case=r["name"], ours_s=r["ours_s"], peer_s=r["peer_s"], ratio=r["ratio"],
                         rel_diff_beta=r["rel_diff_beta"], note=r.get("note", "")))
    return rows


#: The speed targets: (what, row-name prefix, least ratio).
TARGETS = (("PT+FT end vs LL's torch loop (float32)", "PT+FT finetune (n=64): flow end vs torch GD float32", 5000),
           ("MTL end vs LL's torch loop, median over overlaps", "MTL over overlaps", 300),
           ("implicit-bias program vs cvxpy + Clarabel", "implicit_bias", 300))


def target_lines(rows):
    """One line per target: the rows it covers, their ratios, met or not."""
    out = []
    for what, prefix, goal in TARGETS:
        hits = [r for r in rows if r["case"].startswith(prefix)]
        if not hits:
            continue
        worst = min(r["ratio"] for r in hits)
        out.append(f"{'MET ' if worst >= goal else 'NOT MET'}  {what}: "
                   + ", ".join(f"{r['ratio']:.0f}x" for r in hits) + f" (target >= {goal}x)")
    return out


def print_table(rows):
    print(f"{'case':<78}{'ours s':>11}{'peer s':>11}{'peer/ours':>11}{'rel diff beta':>15}  note")
    for r in rows:
        print(f"{r['case']:<78}{r['ours_s']:>11.3g}{r['peer_s']:>11.3g}{r['ratio']:>11.1f}"
              f"{r['rel_diff_beta']:>15.2e}  {r['note']}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--overlap", type=int, default=40,
                        help="main features (of 40) shared with the auxiliary task (default 40)")
    parser.add_argument("--quick", action="store_true", help="skip the long MTL torch run")
    parser.add_argument("--json", help="write the rows to this JSON file")
    parser.add_argument("--torch-seconds", type=float, default=120.0,
                        help="time cap of a torch finetuning run (default 120)")
    parser.add_argument("--mtl-torch-seconds", type=float, default=600.0,
                        help="time cap of the torch MTL run (default 600)")
    parser.add_argument("--mtl-overlaps", default="40,30,20,0",
                        help="overlaps of the MTL rows (default 40,30,20,0: LL's grid)")
    parser.add_argument("--skip-convex", action="store_true", help="skip the cvxpy rows")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)  # LL's loop as measured: one thread
    from threadpoolctl import threadpool_limits
    threadpool_limits(1)  # ours too
    Xa, ya, Xm, ym = paper_problem(overlap=args.overlap)
    print(f"machine: {machine()}")
    print(f"paper problem: D = 1000, n_aux = 1024, n_main = 64, overlap {args.overlap}/40, alpha 1e-3")
    rows = finetune_rows(Xa, ya, Xm, ym, args.torch_seconds)
    rows += gd_step_rows(Xa, ya, Xm, ym)
    if not args.quick:
        rows += mtl_rows([int(o) for o in args.mtl_overlaps.split(",")], args.mtl_torch_seconds)
    if not args.skip_convex:
        rows += convex_rows()
    print_table(rows)
    print("\n".join(target_lines(rows)))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2, default=float))
    return 0


if __name__ == "__main__":
    sys.exit(main())
