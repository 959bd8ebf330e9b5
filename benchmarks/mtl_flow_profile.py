"""Where the multi-task flow spends its time on the diag-overlap sweep's MTL runs.

Each run is exactly a sweep run (the family's teachers and data for the seed,
LL's weights 1/N, init 1e-3, tol 1e-10, rtol 1e-6, as ``train_multi``) and is
split into its phases: set-up and the explicit DOP853 phase, the stiff
Rosenbrock-W phase (its kernel eigendecompositions apart), the tail jump. One
thread, one run at a time.

    python -m benchmarks.mtl_flow_profile [--seeds 0] [--overlaps 40,30,20,0]
                                          [--ns 16,32,64,128,256,512] [--json FILE]
"""
import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from featreuse.analysis.families.diagonal.tasks import aux_data, main_data, make_teacher  # noqa: E402
from featreuse.solvers.multi_flow import multi_flow  # noqa: E402


def profile_run(seed, overlap, n):
    """One sweep MTL run's phases: a dict of counts and seconds."""
    teacher = make_teacher(seed, overlap=overlap)
    Xa, ya = aux_data(seed, teacher)
    Xm, ym = main_data(seed, teacher, n)
    N = Xa.shape[0] + n
    t0 = time.perf_counter()
    res = multi_flow([Xa, Xm], [ya, ym], 1e-3, np.full(2, 1.0 / N), tol=1e-10, rtol=1e-6)
    wall = time.perf_counter() - t0
    info = res.info
    stiff_steps = res.steps - info["explicit_steps"]
    stiff_wall = wall - info["wall_explicit_s"] - info["wall_kernel_s"]  # with the tail jump
    return dict(seed=seed, overlap=overlap, n=n, wall_s=wall, converged=bool(res.converged),
                explicit_steps=int(info["explicit_steps"]),
                explicit_time=float(info["explicit_time"]),
                explicit_s=float(info["wall_explicit_s"]), stiff_steps=int(stiff_steps),
                kernel_builds=int(info["kernel_builds"]), kernel_float64=int(info["kernel_float64"]),
                kernel_s=float(info["wall_kernel_s"]),
                stiff_s=float(stiff_wall), ms_per_stiff_step=1e3 * stiff_wall / max(stiff_steps, 1),
                final_time=float(info["final_time"]), rhs_evals=int(info["rhs_evals"]),
                linear_solves=int(info["linear_solves"]), rejected=int(info["rejected"]),
                jump_size=float(info["jump_size"]), jump_error=float(info["jump_error"]))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--overlaps", default="40,30,20,0")
    parser.add_argument("--ns", default="16,32,64,128,256,512")
    parser.add_argument("--json", help="write the rows to this JSON file")
    args = parser.parse_args(argv)
    from threadpoolctl import threadpool_limits
    grid = [(int(s), int(o), int(n)) for s in args.seeds.split(",")
            for o in args.overlaps.split(",") for n in args.ns.split(",")]
    multi_flow([np.eye(3)], [np.ones(3)], 1e-3, [1.0], times=[1e-3])  # compile the kernels
    rows = []
    cols = ("wall_s", "explicit_steps", "explicit_s", "stiff_steps", "stiff_s",
            "ms_per_stiff_step", "kernel_builds", "kernel_float64", "kernel_s", "final_time")
    print(f"{'seed':>4}{'ov':>4}{'n':>5}" + "".join(f"{c:>18}" for c in cols))
    with threadpool_limits(1):
        for seed, overlap, n in grid:
            r = profile_run(seed, overlap, n)
            rows.append(r)
            print(f"{seed:>4}{overlap:>4}{n:>5}" + "".join(f"{r[c]:>18.3g}" for c in cols),
                  flush=True)
    walls = np.array([r["wall_s"] for r in rows])
    total = walls.sum()
    parts = {k: sum(r[k] for r in rows) for k in ("explicit_s", "stiff_s", "kernel_s")}
    print(f"{len(rows)} runs: median {np.median(walls):.2f} s, slowest {walls.max():.2f} s, "
          f"total {total:.1f} s; explicit phase and set-up {parts['explicit_s'] / total:.0%}, "
          f"stiff steps and tail jump {parts['stiff_s'] / total:.0%}, kernel "
          f"eigendecompositions {parts['kernel_s'] / total:.0%}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
