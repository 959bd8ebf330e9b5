"""``featreuse demo``: STL, MTL and PT+FT on LL's diagonal teacher, GD and flow.

One seed, one main-task size: pretrain on the auxiliary task (1024 samples),
then train the main task (n samples) as single task (STL), jointly with the
auxiliary task (MTL), by finetuning all parameters (PT+FT) or the readouts
only (PT+FT (LP)). Each method runs twice: LL's full-batch gradient descent
(``method="gd"``) and the exact / integrated gradient flow (``method="flow"``).
"""
import time
import warnings


import solvers
from analysis import tasks

METHODS = ("stl", "mtl", "ptft", "ptft_lp")


def configure(parser):
    parser.add_argument("--n", type=int, default=64, help="main-task training samples (default 64)")
    parser.add_argument("--overlap", type=int, default=30,
                        help="main features shared with the auxiliary task, of 40 (default 30)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--D", type=int, default=1000, help="input dimension (default 1000)")
    parser.add_argument("--max-steps", type=int, default=200_000,
                        help="GD step budget per run (default 200000; LL used 1e6)")
    parser.add_argument("--methods", default="gd,flow", help="comma-separated: gd,flow")


def run_demo(seed=0, n=64, overlap=30, D=1000, max_steps=200_000, methods=("gd", "flow"),
             alpha=1e-3, progress=print):
    """Train every method once; return a list of row dicts (method, trainer, test_mse, ...)."""
    teacher = tasks.make_teacher(seed, D=D, k=40, overlap=overlap)
    Xa, ya = tasks.aux_data(seed, teacher)
    Xm, ym = tasks.main_data(seed, teacher, n)
    X_test = tasks.test_inputs(seed, D=D, n_test=10_000)
    rows = []
    for trainer in methods:
        kw = dict(method=trainer)
        if trainer == "gd":
            kw.update(max_steps=max_steps)
        start = time.perf_counter()
        pre = solvers.train_single(Xa, ya, init=alpha, lr=0.5, **kw)
        rows.append(_row("pretrain (aux)", trainer, pre, teacher.beta_aux, X_test, time.perf_counter() - start))
        progress(_format(rows[-1]))
        runs = {
            "stl": lambda: solvers.train_single(Xm, ym, init=alpha, lr=0.1, **kw),
            "mtl": lambda: solvers.train_multi([Xa, Xm], [ya, ym], init=alpha, lr=0.1, **kw),
            "ptft": lambda: solvers.finetune(pre, Xm, ym, rescale=1.0, readout_init=alpha, lr=0.1, **kw),
            "ptft_lp": lambda: solvers.finetune(pre, Xm, ym, rescale=1.0, readout_init=alpha,
                                                train="readout", lr=0.1, **kw),
        }
        for name in METHODS:
            start = time.perf_counter()
            result = runs[name]()
            beta = result.beta[:, -1] if result.beta.ndim == 2 else result.beta
            rows.append(_row(name, trainer, result, teacher.beta_main, X_test,
                             time.perf_counter() - start, beta=beta))
            progress(_format(rows[-1]))
    return rows


def _row(name, trainer, result, beta_star, X_test, wall, beta=None):
    beta = result.beta if beta is None else beta
    return dict(method=name, trainer=trainer, test_mse=tasks.test_mse(beta, beta_star, X_test),
                train_loss=result.loss, steps=result.steps, converged=bool(result.converged),
                wall_s=wall)


HEADER = f"{'method':<16}{'trainer':<8}{'test MSE':>12}{'train loss':>12}{'steps':>9}{'conv.':>7}{'wall s':>9}"


def _format(r):
    return (f"{r['method']:<16}{r['trainer']:<8}{r['test_mse']:>12.3e}{r['train_loss']:>12.2e}"
            f"{r['steps']:>9d}{'yes' if r['converged'] else 'NO':>7}{r['wall_s']:>9.2f}")


def run(args):
    methods = tuple(m.strip() for m in args.methods.split(",") if m.strip())
    for m in methods:
        if m not in ("gd", "flow"):
            raise SystemExit(f"featreuse demo: --methods entries must be gd or flow, got {m!r}")
    print(f"LL diagonal teacher: D={args.D}, n_aux=1024, n_main={args.n}, overlap={args.overlap}/40, "
          f"seed={args.seed}, init 1e-3; GD lr 0.5 (pretraining) / 0.1, stop at loss 1e-10")
    print("steps: GD updates; flow: Newton iterations (exact flow end) or integrator steps (MTL)")
    print(HEADER)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", solvers.ConvergenceWarning)  # shown as conv. = NO
        run_demo(args.seed, args.n, args.overlap, args.D, args.max_steps, methods)
    return 0
