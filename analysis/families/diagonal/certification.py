"""The diagonal family's certification table (``featreuse check``).

Trains diagonal networks on LL's teacher tasks and measures each trained
predictor against its convex program (:func:`featreuse.solvers.certify.distance_to_program`):
exact groups fail above their tolerance, measured groups report a known gap.
"""
import warnings

import numpy as np

from featreuse.solvers.certify import distance_to_program
from featreuse.errors import FeatreuseError, InputTypeError

from featreuse.analysis.certificate import Case, Certificate


#: Problem sizes: quick (CI, < ~60 s on 2 cores) and full (LL's sizes where affordable).
SIZES = {
    True: {"seed": 0, "D": 100, "k_aux": 10, "k": 5, "overlap": 3, "n_aux": 48, "n": 24,
           "wd": {"D": 40, "k_aux": 8, "k": 4, "overlap": 2, "n_aux": 16, "n": 8}},
    False: {"seed": 0, "D": 1000, "k_aux": 40, "k": 20, "overlap": 10, "n_aux": 1024, "n": 64,
            "wd": {"D": 100, "k_aux": 10, "k": 5, "overlap": 3, "n_aux": 40, "n": 20},
            # the multi-task flow on N = 1088 samples takes minutes per alpha: fewer aux samples
            "mtl": {"D": 1000, "k_aux": 40, "k": 20, "overlap": 10, "n_aux": 256, "n": 64}},
}
#: Grids of the table.
GRIDS = {
    True: {"stl_alpha": (1e-3, 1e-1, 1.0), "mtl_alpha": (1e-1, 1e-2, 1e-3),
           "ptft_sc": ((1.0, 1e-3), (0.1, 1e-4)), "wd": (1e-2,)},
    False: {"stl_alpha": (1e-4, 1e-3, 1e-2, 1e-1, 1.0), "mtl_alpha": (1e-1, 1e-2, 1e-3, 1e-4),
            "ptft_sc": tuple((s, c) for s in (1.0, 0.1, 0.01, 0.001) for c in (1e-3, 1e-6)),
            "wd": (1e-2, 1e-3)},
}
#: LL's learning rates: 0.1 for single-task training and finetuning, 0.5 for pretraining.
LR, LR_PRETRAIN = 0.1, 0.5
#: LL's init scale of pretraining and of the default single-task network.
ALPHA = 1e-3
#: Weight-decay runs stop when the squared gradient norm is below this (stationarity).
WD_TOL = 1e-16
#: Step budget of a weight-decayed flow (a row that runs out is measured, not exact).
WD_MAX_STEPS = 60_000


class _Data:
    """Data of the table (LL's teacher tasks), built on first use and shared by cases."""

    def __init__(self, quick):
        self.quick = quick
        self.sizes = SIZES[quick]
        self._cache = {}

    def _get(self, key, make):
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def tasks(self, which="main"):
        """``(Xa, ya, X, y, teacher)`` of the main table (``"main"``) or the weight-decay problem."""
        from . import tasks

        def make():
            s = self.sizes if which == "main" else self.sizes.get(which, self.sizes)
            t = tasks.make_teacher(self.sizes["seed"], D=s["D"], k_aux=s["k_aux"], k=s["k"],
                                   overlap=s["overlap"])
            Xa, ya = tasks.aux_data(self.sizes["seed"], t, s["n_aux"])
            X, y = tasks.main_data(self.sizes["seed"], t, s["n"])
            return Xa, ya, X, y, t
        return self._get(("tasks", which), make)

    def pretrained(self, method="flow"):
        """Pretrained single-task result on the auxiliary task (LL: alpha = 1e-3)."""
        from featreuse.solvers import train_single
        Xa, ya = self.tasks()[:2]
        lr = LR_PRETRAIN
        return self._get(("pre", method), lambda: train_single(Xa, ya, init=ALPHA, method=method,
                                                               lr=lr))

    def size_params(self, which="main"):
        s = self.sizes if which == "main" else self.sizes.get(which, self.sizes)
        return {"D": s["D"], "n_aux": s["n_aux"], "n": s["n"]}


def _row(rows, case, kind, exact, params, make):
    """Append the row ``make()`` computes; a failure becomes a NaN row carrying the error."""
    try:
        cert = make()
    except FeatreuseError as exc:
        cert = Certificate(case=case, method="-", program="-", distance=float("nan"),
                           penalty_trained=float("nan"), penalty_convex=float("nan"),
                           certificate=float("nan"), wall_s=0.0, exact=exact, kind=kind,
                           info={"error": f"{type(exc).__name__}: {exc}"})
    cert.params.update(params)
    rows.append(cert)


def _stl_rows(data, grid):
    from featreuse.solvers import train_single
    X, y = data.tasks()[2:4]
    rows = []
    for a in grid["stl_alpha"]:
        case = f"stl alpha={a:.0e}"
        _row(rows, case, "stl", True, dict(alpha=a, **data.size_params()),
             lambda: distance_to_program("stl", train_single(X, y, init=a, method="flow"), X, y,
                                         init=a, case=case))
    return rows


def _stl_backends_rows(data, grid):
    """Fast vs cvxpy entropy backends on the same data (independent solvers)."""
    from featreuse.solvers import convex
    X, y = data.tasks()[2:4]
    rows = []
    for a in grid["stl_alpha"][:2]:
        case = f"stl fast-vs-cvxpy alpha={a:.0e}"
        _row(rows, case, "stl", True, dict(alpha=a, **data.size_params()),
             lambda: distance_to_program(
                 "stl", convex.implicit_bias(X, y, init=a, backend="fast").beta, X, y, init=a,
                 method="implicit_bias[fast]", case=case))
    return rows


def _ptft_rows(data, grid, ideal):
    from featreuse.solvers import finetune
    X, y = data.tasks()[2:4]
    pre = data.pretrained("flow")
    kind = "ptft_ideal" if ideal else "ptft"
    rows = []
    for s, c in grid["ptft_sc"]:
        case = f"{kind} s={s:g} c={c:.0e}"
        _row(rows, case, kind, not ideal, dict(s=s, c=c, **data.size_params()),
             lambda: distance_to_program(
                 kind, finetune(pre, X, y, rescale=s, readout_init=c, method="flow"), X, y,
                 pretrained=pre.params, rescale=s, readout_init=c, case=case))
    return rows


def _lp_rows(data, grid):
    from featreuse.solvers import finetune, train_single
    X, y = data.tasks()[2:4]
    pre = data.pretrained("flow")
    rows = []
    _row(rows, "stl_lp alpha=1e-03", "stl_lp", True, dict(alpha=ALPHA, **data.size_params()),
         lambda: distance_to_program(
             "stl_lp", train_single(X, y, init=ALPHA, method="flow", train="readout"), X, y,
             init=ALPHA, case="stl_lp alpha=1e-03"))
    s, c = grid["ptft_sc"][0]
    case = f"ptft_lp s={s:g} c={c:.0e}"
    _row(rows, case, "ptft_lp", True, dict(s=s, c=c, **data.size_params()),
         lambda: distance_to_program(
             "ptft_lp", finetune(pre, X, y, rescale=s, readout_init=c, train="readout",
                                 method="flow"),
             X, y, pretrained=pre.params, rescale=s, readout_init=c, case=case))
    return rows


def _gd_rows(data, grid):
    from featreuse.solvers import finetune, train_single
    Xa, ya, X, y = data.tasks()[:4]
    rows = []
    case = f"stl gd lr={LR:g}"
    _row(rows, case, "gd", False, dict(alpha=ALPHA, lr=LR, **data.size_params()),
         lambda: distance_to_program("gd", train_single(X, y, init=ALPHA, method="gd", lr=LR),
                                     X, y, init=ALPHA, case=case))
    case = f"pretrain gd lr={LR_PRETRAIN:g}"
    _row(rows, case, "gd", False, dict(alpha=ALPHA, lr=LR_PRETRAIN, **data.size_params()),
         lambda: distance_to_program("gd", data.pretrained("gd"), Xa, ya, init=ALPHA, case=case))
    s, c = grid["ptft_sc"][0]
    case = f"ptft gd lr={LR:g} s={s:g} c={c:.0e}"

    def ptft_gd():
        # finetune the GD-pretrained net both ways: the gap is finetuning GD's alone
        ft = finetune(data.pretrained("gd"), X, y, rescale=s, readout_init=c, method="gd",
                      lr=LR)
        return distance_to_program("gd", ft, X, y, init=ft.init, case=case)
    _row(rows, case, "gd", False, dict(s=s, c=c, lr=LR, **data.size_params()), ptft_gd)
    return rows


def _mtl_rows(data, grid):
    from featreuse.solvers import train_multi
    Xa, ya, X, y = data.tasks("mtl")[:4]
    rows = []
    for a in grid["mtl_alpha"]:
        case = f"mtl alpha={a:.0e}"

        def make():
            res = train_multi([Xa, X], [ya, y], init=a, method="flow")
            cert = distance_to_program("mtl", res, [Xa, X], [ya, y], case=case)
            cert.params.update(steps=res.steps, flow_wall_s=res.wall_s)
            return cert
        _row(rows, case, "mtl", False, dict(alpha=a, **data.size_params("mtl")), make)
    return rows


def _mtl_wd_rows(data, grid):
    from featreuse.solvers import train_multi
    Xa, ya, X, y = data.tasks("wd")[:4]
    rows = []
    for lam in grid["wd"]:
        case = f"mtl_wd lambda={lam:.0e}"

        def make():
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                res = train_multi([Xa, X], [ya, y], init=1e-2, method="flow", weight_decay=lam,
                                  tol=WD_TOL, max_steps=WD_MAX_STEPS)
            # only a stationary point is certified; a run stopped early is a measurement
            cert = distance_to_program("mtl_wd", res, [Xa, X], [ya, y],
                                       method="flow" if res.converged else "flow (stopped)",
                                       case=case)
            cert.params.update(grad_norm=res.info.get("grad_norm"), steps=res.steps,
                               converged=res.converged)
            if caught:
                cert.info["warnings"] = "; ".join(str(w.message) for w in caught)
            return cert
        _row(rows, case, "mtl_wd", True, dict(alpha=1e-2, **data.size_params("wd")), make)
    return rows


def certification_cases(quick=False):
    """The cases of the certification table.

    Parameters
    ----------
    quick : bool
        Small sizes (D = 100, n_aux = 48, n = 24; weight decay on D = 30) that
        run in well under a minute; otherwise LL's sizes (D = 1000,
        n_aux = 1024, n = 64; weight decay on D = 100).

    Returns
    -------
    list of Case
        Exact groups: STL flow vs implicit_bias at several alpha; fast vs
        cvxpy entropy backends; PT+FT flow vs implicit_bias of the finetuning
        init over (s, c); readout-only flows vs weighted min-ell2;
        weight-decayed MTL flow vs group lasso (2 lambda). Measured groups:
        PT+FT vs LL's idealised penalty over (s, c); small-init MTL flow vs
        min-ell_{1,2} over alpha; GD at LL's learning rates vs the flow.
    """
    if not isinstance(quick, (bool, np.bool_)):
        raise InputTypeError(f"quick must be a bool, got {type(quick).__name__}")
    data, grid = _Data(bool(quick)), GRIDS[bool(quick)]
    return [
        Case("stl", "single-task flow vs implicit_bias (P-ent) at several alpha", True,
             lambda: _stl_rows(data, grid)),
        Case("stl_backends", "implicit_bias fast (Newton) vs cvxpy", True,
             lambda: _stl_backends_rows(data, grid)),
        Case("ptft", "PT+FT flow vs implicit_bias of the finetuning init over (s, c)", True,
             lambda: _ptft_rows(data, grid, ideal=False)),
        Case("lp", "readout-only flows (STL, PT+FT) vs weighted min-ell2", True,
             lambda: _lp_rows(data, grid)),
        Case("mtl_wd", "weight-decayed MTL flow vs group lasso (2 lambda)", True,
             lambda: _mtl_wd_rows(data, grid)),
        Case("ptft_ideal", "PT+FT flow vs LL's idealised penalty over (s, c)", False,
             lambda: _ptft_rows(data, grid, ideal=True)),
        Case("mtl", "small-init MTL flow vs min-ell_{1,2} over alpha", False,
             lambda: _mtl_rows(data, grid)),
        Case("gd", "GD at LL's learning rates vs the exact flow end", False,
             lambda: _gd_rows(data, grid)),
    ]
