"""The scalars every WZR run records, and the summary columns of each study."""
import math

#: the main error figure: the target's excess test MSE / its test MSE of predicting 0
METRIC = "rel_mse"
#: scalars every run records (NaN where its study or regime has no such value)
COLUMNS = ("test_mse", "null_mse", "objective", "accuracy", "avg_rel_mse", "weight_noisy",
           "weight_clean", "covsim_before", "covsim_after", "covsim_module_before",
           "covsim_module", "steps")
#: per kind: its columns besides test_mse, null_mse, objective and steps, each with the
#: regimes that record it (None: every regime)
KIND_COLUMNS = {
    "capacity": {"avg_rel_mse": None},
    "covariance": {"covsim_before": ("mtl",)},
    "reweight": {"avg_rel_mse": None, "weight_noisy": None, "weight_clean": None},
    "align": {"covsim_before": ("mtl", "mtl_aligned", "mtl_finetuned", "ptft", "ptft_aligned"),
              "covsim_after": ("mtl_aligned", "ptft_aligned"),
              "covsim_module_before": ("mtl", "mtl_aligned", "mtl_finetuned", "ptft",
                                       "ptft_aligned"),
              "covsim_module": ("mtl_aligned", "ptft_aligned")},
    "ablation": {"accuracy": None,
                 "covsim_before": ("mtl", "mtl_aligned", "mtl_head", "mtl_finetuned"),
                 "covsim_after": ("mtl_aligned",),
                 "covsim_module_before": ("mtl", "mtl_aligned", "mtl_head", "mtl_finetuned"),
                 "covsim_module": ("mtl_aligned", "mtl_finetuned")},
}
#: per kind: summary columns of run parameters besides the [grid] keys
EXTRA_SWEPT = {"ablation": ("source", "target")}


def columns(config):
    """Scalar summary columns of a :class:`~.config.WzrConfig` (in :data:`COLUMNS` order)."""
    own = {c for c, regimes in KIND_COLUMNS[config.kind].items()
           if regimes is None or set(regimes) & set(config.regimes)}
    return tuple(c for c in COLUMNS
                 if c in own or c in ("test_mse", "null_mse", "objective", "steps"))


def record(arrays=None, **scalars):
    """A run record: ``scalars`` (every :data:`COLUMNS` entry, NaN unless given) and ``arrays``.

    Parameters
    ----------
    arrays : dict name -> ndarray, optional
        Small arrays kept in the run's HDF5 group (the target's predictor ``beta`` at least).
    **scalars
        Column values and other run attributes (JSON-able numbers or strings).
    """
    out = {c: math.nan for c in COLUMNS}
    out.update({k: (float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v)
                for k, v in scalars.items()})
    return {"scalars": out, "arrays": dict(arrays or {})}
