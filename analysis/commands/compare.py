"""featreuse compare: trainers and convex solvers on your own problem, in one call.

Reads the data from an ``.npz`` file, builds the problem
(:mod:`featreuse.analysis.compare.problems`), runs :func:`featreuse.analysis.compare.compare`,
prints the table and writes ``table.csv``, ``curves.csv``, ``comparison.h5``
and ``comparison.png`` into the output folder (docs/compare.md).
"""
import os

import numpy as np

from featreuse.errors import InputError

HELP = "compare trainers and convex solvers on your own problem (data from an .npz file)"

#: the packaged example (``--data example``): n = 32, D = 128, a 4-sparse teacher
EXAMPLE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples",
                       "compare-example.npz")

#: problem -> the npz keys it reads (besides the multi-task X_0, y_0, ...)
DATA_KEYS = {
    "implicit_bias": "X (n, D), y (n,)",
    "min_l1": "X (n, D), y (n,)",
    "finetune": "X (n, D), y (n,), and beta_pre (D,) or pretrained (4, D)",
    "min_l12": "X_0, y_0, X_1, y_1, ... (one pair per task) or X (T, n, D), y (T, n)",
    "mtl_weight_decay": "X_0, y_0, X_1, y_1, ... (one pair per task) or X (T, n, D), y (T, n)",
}

EPILOG = ("data keys per problem: " + "; ".join(f"{p}: {k}" for p, k in DATA_KEYS.items())
          + ". --data example uses the packaged example, which holds all of them.")


def configure(parser):
    """Arguments of ``featreuse compare``."""
    parser.epilog = EPILOG
    parser.add_argument("--data", required=True, metavar="FILE.npz",
                        help="the problem's arrays (see the keys below), or 'example'")
    parser.add_argument("--problem", required=True, choices=tuple(DATA_KEYS),
                        help="which program: " + ", ".join(DATA_KEYS))
    parser.add_argument("--methods", default=None,
                        help="comma-separated methods (default: every method that applies): "
                             "flow, gd, gd-torch, cvxpy, newton, highs, reduced-clarabel")
    parser.add_argument("--out", default=None,
                        help="output folder (default: results/compare-<problem>)")
    parser.add_argument("--init", type=float, default=None,
                        help="the trainers' init alpha (default 1e-3; mtl_weight_decay 1e-2)")
    parser.add_argument("--rescale", type=float, default=1.0, help="finetune: s (default 1)")
    parser.add_argument("--readout-init", type=float, default=1e-3,
                        help="finetune: c (default 1e-3)")
    parser.add_argument("--weight-decay", type=float, default=1e-2,
                        help="mtl_weight_decay: lambda (default 1e-2)")
    parser.add_argument("--lr", type=float, default=0.1, help="GD learning rate (default 0.1)")
    parser.add_argument("--max-steps", type=int, default=10 ** 6,
                        help="GD steps allowed (default 1e6)")
    parser.add_argument("--repeats", type=int, default=3, help="timed calls per method (default 3)")
    parser.add_argument("--timeout", type=float, default=None,
                        help="seconds allowed per call of a method (default: none)")
    parser.add_argument("--reference", default=None,
                        help="method of the reference minimiser (default cvxpy)")
    return parser


def _data_path(data):
    if data == "example":
        return EXAMPLE
    if not os.path.isfile(data):
        raise InputError(f"--data: no such file {data!r}")
    return data


def _load(path):
    """The arrays of an npz file (a dict), read without pickles."""
    try:
        f = np.load(path, allow_pickle=False)
        if not hasattr(f, "files"):
            raise InputError(f"--data: {path!r} holds one array, not named arrays (.npz)")
        with f:
            return {k: f[k] for k in f.files}
    except InputError:
        raise
    except (OSError, ValueError, EOFError) as exc:
        raise InputError(f"--data: cannot read {path!r} as an .npz file "
                         f"({' '.join(str(exc).split())})") from None


def _need(arrays, key, path, problem):
    if key not in arrays:
        raise InputError(f"--data: {path!r} has no array {key!r} (problem {problem} reads "
                         f"{DATA_KEYS[problem]})")
    return arrays[key]


def _tasks(arrays, path, problem):
    if "X_0" in arrays or "y_0" in arrays:
        Xs, ys, t = [], [], 0
        while f"X_{t}" in arrays or f"y_{t}" in arrays:
            Xs.append(_need(arrays, f"X_{t}", path, problem))
            ys.append(_need(arrays, f"y_{t}", path, problem))
            t += 1
        return Xs, ys
    return _need(arrays, "X", path, problem), _need(arrays, "y", path, problem)


def build_problem(args, arrays, path):
    """The problem named by ``args.problem`` on ``arrays`` (typed errors name --data)."""
    from featreuse.analysis.compare import problems
    from featreuse.errors import FeatreuseError
    name = args.problem
    kw = {"lr": args.lr, "max_steps": args.max_steps}
    if args.init is not None:
        kw["init"] = args.init
    try:
        if name in ("min_l12", "mtl_weight_decay"):
            Xs, ys = _tasks(arrays, path, name)
            if name == "min_l12":
                return problems.min_l12(Xs, ys, **kw)
            return problems.mtl_weight_decay(Xs, ys, args.weight_decay, **kw)
        X, y = _need(arrays, "X", path, name), _need(arrays, "y", path, name)
        if name == "finetune":
            kw.pop("init", None)
            pre = arrays.get("pretrained", arrays.get("beta_pre"))
            if pre is None:
                _need(arrays, "beta_pre", path, name)
            return problems.finetune(X, y, pre, args.rescale, args.readout_init, **kw)
        return getattr(problems, name)(X, y, **kw)
    except FeatreuseError as exc:
        if str(exc).startswith("--"):
            raise
        raise type(exc)(f"--data {path}: {exc}") from None


def example_arrays(seed=0, n=32, D=128, k=4):
    """The arrays of the packaged example (``--data example``).

    A main task (X, y) = (X_1, y_1) of n samples with rows rescaled to
    ``||x||^2 = D`` and a k-sparse teacher; an auxiliary task (X_0, y_0) with a
    teacher sharing half of its support; ``beta_pre`` the auxiliary teacher.
    """
    rng = np.random.default_rng(seed)
    support = rng.choice(D, 2 * k, replace=False)
    teachers = []
    for idx in (support[:k], support[k // 2:k // 2 + k]):
        b = np.zeros(D)
        b[idx] = rng.choice([-1.0, 1.0], k) / np.sqrt(k)
        teachers.append(b)
    out = {}
    for t, b in enumerate(teachers):
        X = rng.standard_normal((n, D))
        X *= np.sqrt(D) / np.linalg.norm(X, axis=1, keepdims=True)
        out[f"X_{t}"], out[f"y_{t}"] = X, X @ b
    out["X"], out["y"] = out["X_1"], out["y_1"]
    out["beta_pre"] = teachers[0]
    return out


def run(args):
    """Check the arguments and data, compare, print the table, write the files."""
    from featreuse.analysis.compare import compare

    from ..paths import check_output_folder
    path = _data_path(args.data)
    out = args.out if args.out is not None else os.path.join("results", f"compare-{args.problem}")
    check_output_folder(out, "--out")
    problem = build_problem(args, _load(path), path)
    cmp = compare(problem, args.methods, repeats=args.repeats, timeout=args.timeout,
                  reference=args.reference)
    print(repr(cmp))
    os.makedirs(out, exist_ok=True)
    paths = [os.path.join(out, "table.csv"), os.path.join(out, "curves.csv")]
    cmp.table.to_csv(paths[0], index=False)
    cmp.curves.to_csv(paths[1], index=False)
    paths.append(cmp.to_hdf5(os.path.join(out, "comparison.h5")))
    fig = cmp.plot()
    paths.append(os.path.join(out, "comparison.png"))
    fig.savefig(paths[-1], dpi=150)
    for p in paths:
        print(p)
    return 0
