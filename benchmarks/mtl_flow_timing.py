"""Time the multi-task gradient flow on LL's MTL problem (solvers.multi_flow).

D = 1000, auxiliary task 1024 samples, main task 64 samples, init alpha = 1e-3,
omega_t = 1/N.  Inputs x ~ N(0, I_D) rescaled to ||x||^2 = D; each teacher has
40 active coordinates +-1/sqrt(40), the main one sharing ``overlap`` of the
auxiliary ones (same sign).

Prints the wall time to loss 1e-10, the step counts, where the time went, and
(``--reference``) the relative beta difference at a few flow times to a
small-step explicit reference (scipy DOP853 at rtol 1e-12; minutes).

    python benchmarks/mtl_flow_timing.py [--overlap 20] [--seed 0] [--reference]
"""
import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from featreuse.solvers.diagonal import beta_multi  # noqa: E402
from featreuse.solvers.multi_flow import multi_flow  # noqa: E402
from featreuse.solvers.multi_flow.problem import Problem  # noqa: E402


def paper_problem(overlap=20, seed=0, D=1000, n_aux=1024, n_main=64, k=40):
    """Seeded LL MTL problem: (Xs, ys, sample_weights, teachers)."""
    rng = np.random.default_rng(seed)

    def inputs(n):
        x = rng.standard_normal((n, D))
        return x * np.sqrt(D / np.sum(x ** 2, axis=1, keepdims=True))

    Xa, Xm = inputs(n_aux), inputs(n_main)
    perm = rng.permutation(D)
    sa = perm[:k]
    sm = np.concatenate([sa[:overlap], perm[k:2 * k - overlap]])
    ba = np.zeros(D)
    ba[sa] = rng.choice([-1.0, 1.0], k) / np.sqrt(k)
    bm = np.zeros(D)
    bm[sm] = rng.choice([-1.0, 1.0], k) / np.sqrt(k)
    bm[sa[:overlap]] = ba[sa[:overlap]]
    N = n_aux + n_main
    return [Xa, Xm], [Xa @ ba, Xm @ bm], np.full(2, 1.0 / N), (ba, bm)


def reference(Xs, ys, om, alpha, times, rtol=1e-12):
    """beta at ``times`` from scipy DOP853 with tight tolerances (slow in the stiff tail)."""
    from scipy.integrate import solve_ivp
    prob = Problem(Xs, ys, om, 0.0)
    shape = (len(Xs) + 1, 2, Xs[0].shape[1])

    def fun(_t, y):
        return prob.rhs(y.reshape(shape)).ravel()

    sol = solve_ivp(fun, (0, times[-1]), np.full(np.prod(shape), alpha), method="DOP853",
                    rtol=rtol, atol=rtol * 1e-3, t_eval=times)
    return [beta_multi(y.reshape(shape)) for y in sol.y.T]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--overlap", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--rtol", type=float, default=1e-8)
    ap.add_argument("--reference", action="store_true")
    args = ap.parse_args()
    Xs, ys, om, _ = paper_problem(args.overlap, args.seed)
    multi_flow(Xs[:1], ys[:1], 1e-3, om[:1], times=[1e-3])  # compile the numba kernels

    t0 = time.perf_counter()
    res = multi_flow(Xs, ys, 1e-3, om, tol=1e-10, rtol=args.rtol)
    wall = time.perf_counter() - t0
    info = res.info
    print(f"overlap={args.overlap} seed={args.seed} rtol={args.rtol:g}")
    print(f"  wall {wall:.2f} s to loss {info['loss_before_jump']:.3g} "
          f"(after tail jump {res.loss:.3g}), flow time {info['final_time']:.4g}")
    print(f"  steps {res.steps} (DOP853 {info['explicit_steps']} to t={info['explicit_time']:.4g}, "
          f"Rosenbrock-W {res.steps - info['explicit_steps']}), rejected {info['rejected']}")
    print(f"  rhs evals {info['rhs_evals']}, linear solves {info['linear_solves']}, "
          f"kernel builds {info['kernel_builds']} ({info['wall_kernel_s']:.2f} s), "
          f"explicit phase {info['wall_explicit_s']:.2f} s (incl. set-up)")
    print(f"  tail jump: relative beta change {info['jump_size']:.3g}, "
          f"estimated error {info['jump_error']:.3g}")

    if args.reference:
        times = np.array([10.0, 100.0, 1000.0])
        t0 = time.perf_counter()
        traj = multi_flow(Xs, ys, 1e-3, om, rtol=args.rtol, times=times)
        wall_traj = time.perf_counter() - t0
        t0 = time.perf_counter()
        ref = reference(Xs, ys, om, 1e-3, times)
        wall_ref = time.perf_counter() - t0
        print(f"  trajectory to t={times[-1]:g}: {wall_traj:.2f} s; DOP853 rtol 1e-12 reference "
              f"{wall_ref:.1f} s")
        for i, t in enumerate(times):
            rel = np.linalg.norm(traj.trajectory[i] - ref[i]) / np.linalg.norm(ref[i])
            print(f"    t={t:g}: relative beta difference {rel:.2e}")


if __name__ == "__main__":
    main()
