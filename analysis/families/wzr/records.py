"""The scalar summary columns every WZR run records (NaN where a study has no such value)."""
import math

#: scalar summary columns of the family (besides the base columns and the swept ones)
COLUMNS = ("test_mse", "null_mse", "objective", "avg_rel_mse", "weight_noisy", "weight_clean",
           "covsim_before", "covsim_after", "steps")


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
