"""featreuse demo: STL, MTL and PT+FT on LL's diagonal teacher, with GD and with the flow.

One seed, one main-task size: pretrain on the auxiliary task (1024 samples),
then train the main task (n samples) as a single task (STL), jointly with the
auxiliary task (MTL), by finetuning all parameters (PT+FT) or the readouts
only (PT+FT (LP)). Each regime runs with each trainer: LL's full-batch
gradient descent (``method="gd"``) and the exact or integrated gradient flow
(``method="flow"``).
"""
import time
import warnings

from featreuse import solvers
from featreuse.errors import InputError

from ..checks import check_int
from . import tasks

HELP = "train STL, MTL and PT+FT on LL's diagonal teacher, with GD and with the flow"
REGIMES = ("stl", "mtl", "ptft", "ptft_lp")
TRAINERS = ("gd", "flow")


def configure(parser):
    """Arguments of ``featreuse demo``."""
    parser.add_argument("--n", type=int, default=64, help="main-task training samples (default 64)")
    parser.add_argument("--overlap", type=int, default=30,
                        help="main features shared with the auxiliary task, of 40 (default 30)")
    parser.add_argument("--seed", type=int, default=0, help="seed (default 0)")
    parser.add_argument("--D", type=int, default=1000, help="input dimension (default 1000)")
    parser.add_argument("--max-steps", type=int, default=200_000,
                        help="GD step budget per run (default 200000; LL used 1e6)")
    parser.add_argument("--methods", default="gd,flow",
                        help="trainers, comma-separated: gd, flow (default both)")


def run_demo(seed=0, n=64, overlap=30, D=1000, max_steps=200_000, methods=TRAINERS,
             alpha=1e-3, progress=print):
    """Train every regime with every trainer once.

    Returns
    -------
    list of dict
        One row per (regime, trainer): ``regime, method, test_mse, train_loss, steps,
        converged, wall_s``; the first row of each trainer is the pretraining.
    """
    teacher = tasks.make_teacher(seed, D=D, k=40, overlap=overlap)
    Xa, ya = tasks.aux_data(seed, teacher)
    Xm, ym = tasks.main_data(seed, teacher, n)
    X_test = tasks.held_out_inputs(seed, D=D, n_test=10_000)
    rows = []
    for method in methods:
        kw = dict(method=method)
        if method == "gd":
            kw.update(max_steps=max_steps)
        start = time.perf_counter()
        pre = solvers.train_single(Xa, ya, init=alpha, lr=0.5, **kw)
        rows.append(_row("pretrain (aux)", method, pre, teacher.beta_aux, X_test,
                         time.perf_counter() - start))
        progress(_format(rows[-1]))
        train = {
            "stl": lambda: solvers.train_single(Xm, ym, init=alpha, lr=0.1, **kw),
            "mtl": lambda: solvers.train_multi([Xa, Xm], [ya, ym], init=alpha, lr=0.1, **kw),
            "ptft": lambda: solvers.finetune(pre, Xm, ym, rescale=1.0, readout_init=alpha, lr=0.1,
                                             **kw),
            "ptft_lp": lambda: solvers.finetune(pre, Xm, ym, rescale=1.0, readout_init=alpha,
                                                train="readout", lr=0.1, **kw),
        }
        for regime in REGIMES:
            start = time.perf_counter()
            result = train[regime]()
            beta = result.beta[:, -1] if result.beta.ndim == 2 else result.beta
            rows.append(_row(regime, method, result, teacher.beta_main, X_test,
                             time.perf_counter() - start, beta=beta))
            progress(_format(rows[-1]))
    return rows


def _row(regime, method, result, beta_star, X_test, wall, beta=None):
    beta = result.beta if beta is None else beta
    return dict(regime=regime, method=method, test_mse=tasks.test_mse(beta, beta_star, X_test),
                train_loss=result.loss, steps=result.steps, converged=bool(result.converged),
                wall_s=wall)


HEADER = (f"{'regime':<16}{'method':<8}{'test MSE':>12}{'train loss':>12}{'steps':>9}"
          f"{'conv.':>7}{'wall s':>9}")


def _format(r):
    return (f"{r['regime']:<16}{r['method']:<8}{r['test_mse']:>12.3e}{r['train_loss']:>12.2e}"
            f"{r['steps']:>9d}{'yes' if r['converged'] else 'NO':>7}{r['wall_s']:>9.2f}")


def run(args):
    """Check the arguments, then print one row per regime and trainer."""
    methods = tuple(m.strip() for m in args.methods.split(",") if m.strip())
    if not methods or any(m not in TRAINERS for m in methods):
        raise InputError(f"--methods must list trainers among {list(TRAINERS)}, got {args.methods!r}")
    check_int(args.n, "--n", 1)
    check_int(args.seed, "--seed", 0)
    check_int(args.max_steps, "--max-steps", 1)
    check_int(args.D, "--D", 1)
    try:
        tasks.check_sizes(args.D, 40, 40, args.overlap)
    except InputError as exc:
        raise InputError(f"--overlap/--D: {exc}") from None
    print(f"LL diagonal teacher: D={args.D}, n_aux=1024, n_main={args.n}, "
          f"overlap={args.overlap}/40, seed={args.seed}, init 1e-3; GD lr 0.5 (pretraining) / "
          "0.1, stop at loss 1e-10")
    print("steps: GD updates; flow: Newton iterations (exact flow end) or integrator steps (MTL)")
    print(HEADER)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", solvers.ConvergenceWarning)  # shown as conv. = NO
        run_demo(args.seed, args.n, args.overlap, args.D, args.max_steps, methods)
    return 0
