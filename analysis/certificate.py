"""Certification rows: a trained solution measured against what theory says it is.

A :class:`Certificate` (defined in :mod:`featreuse.solvers.certify.certificate`, re-exported
here) is one row of ``featreuse check``: the distance of a trained predictor to
the minimiser of a convex program (or another reference), with both objective
values and the reference solver's own optimality certificate. A row is *exact*
when theory says the distance is zero: it then fails above its tolerance. Other
rows are measurements of a known gap.

Each family builds its rows from :class:`Case` objects
(:meth:`featreuse.analysis.families.base.Family.certification_cases`); :func:`run_cases`
runs them and :func:`format_table` prints them.
"""
import warnings
from dataclasses import dataclass

from featreuse.solvers.certify.certificate import EXACT_TOL, Certificate

__all__ = ["EXACT_TOL", "Certificate", "Case", "run_cases", "format_table", "COLUMNS"]


@dataclass
class Case:
    """One group of rows of the certification table.

    Attributes
    ----------
    name : str
        Group name (e.g. ``"stl"``, ``"mtl_wd"``).
    description : str
        What is compared.
    exact : bool
        Whether the group's rows are exact (fail above :data:`EXACT_TOL`).
    run : callable
        ``run() -> list[Certificate]``: trains and certifies.
    """

    name: str
    description: str
    exact: bool
    run: object


def run_cases(cases, progress=True):
    """Run cases and return their rows (list of Certificate), with a tqdm bar.

    Warnings raised inside a case (e.g. a solver's "may be inaccurate") are not
    printed through the bar: they are kept in each row's ``info["warnings"]``.
    """
    from tqdm.auto import tqdm
    rows = []
    bar = tqdm(cases, desc="certify", unit="case", disable=not progress)
    for case in bar:
        bar.set_postfix_str(case.name)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            new = case.run()
        messages = "; ".join(sorted({str(w.message) for w in caught}))
        for row in new:
            if messages:
                row.info.setdefault("warnings", messages)
        rows.extend(new)
    bar.close()
    return rows


COLUMNS = ("case", "method", "program", "distance", "penalty_trained", "penalty_convex",
           "certificate", "wall_s", "status")


def format_table(rows):
    """Fixed-width text table of certificate rows (one line per row)."""
    def cell(row, col):
        v = getattr(row, col)
        if isinstance(v, float):
            return f"{v:.2f}" if col == "wall_s" else f"{v:.3e}"
        return str(v)

    cells = [[cell(r, c) for c in COLUMNS] for r in rows]
    widths = [max([len(c)] + [len(line[i]) for line in cells]) for i, c in enumerate(COLUMNS)]
    out = ["  ".join(c.ljust(w) for c, w in zip(COLUMNS, widths))]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(v.ljust(w) for v, w in zip(line, widths)) for line in cells]
    return "\n".join(out)
