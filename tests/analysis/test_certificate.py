"""Certification rows: status of exact and measured rows, warnings kept out of the progress bar."""
import json
import warnings

import numpy as np
import pytest

from featreuse.analysis.certificate import EXACT_TOL, Case, Certificate, format_table, run_cases


def _row(case, distance, exact):
    return Certificate(case, "flow", "program", distance, 1.0, 1.0, 1e-12, 0.1, {"alpha": 1e-3},
                       exact, "stl", info={"array": np.arange(3), "big": np.zeros(100)})


def test_exact_rows_fail_above_their_tolerance_and_measured_rows_never_fail():
    assert _row("a", EXACT_TOL / 2, True).status == "ok"
    assert _row("b", EXACT_TOL * 2, True).failed
    assert _row("c", float("nan"), True).failed
    assert _row("d", 0.5, False).status == "measured" and not _row("d", 0.5, False).failed
    row = _row("e", 1e-9, True).as_dict()
    json.dumps(row)  # JSON-ready: small arrays become lists, large ones are dropped
    assert row["info"] == {"array": [0, 1, 2]} and row["status"] == "ok"


def test_warnings_inside_a_case_go_to_its_rows_not_to_the_terminal():
    def noisy():
        warnings.warn("Solution may be inaccurate.", UserWarning)
        return [_row("noisy", 1e-9, True), _row("noisy 2", 1e-9, True)]

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning escaping run_cases would raise here
        rows = run_cases([Case("noisy", "a case that warns", True, noisy)], progress=False)
    assert [r.info["warnings"] for r in rows] == ["Solution may be inaccurate."] * 2


def test_format_table_has_one_line_per_row():
    rows = [_row(f"case {i}", 10.0 ** -i, True) for i in range(3)]
    lines = format_table(rows).splitlines()
    assert len(lines) == 2 + 3 and lines[0].split()[0] == "case"
    assert all(line.startswith(f"case {i}") for i, line in enumerate(lines[2:]))
