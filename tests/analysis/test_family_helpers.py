"""Helpers the families share: unique planned runs, paired variants, LL's gen. loss."""
import math

import numpy as np
import pandas as pd

from featreuse.analysis.families.base import PlannedRun, unique_runs
from featreuse.analysis.families.gen_loss import gen_loss
from featreuse.analysis.families.variants import paired, swept_or_fixed


def test_unique_runs_keeps_first_occurrences_in_order():
    a, b = PlannedRun.of({"regime": "stl", "n": 16}), PlannedRun.of({"regime": "stl", "n": 32})
    again = PlannedRun.of({"n": 16, "regime": "stl"})  # same params, other key order
    assert unique_runs([a, b, again, a]) == [a, b]


def test_paired_variants_are_zipped_not_crossed():
    assert paired({"rescale": [1.0, 0.1], "readout_init": [1e-3, 1e-4]}) == [
        {"rescale": 1.0, "readout_init": 1e-3}, {"rescale": 0.1, "readout_init": 1e-4}]
    assert paired({}) == [{}]
    values = swept_or_fixed(["rescale", "k"], {"k": 5}, {"rescale": 0.5})
    assert values == {"rescale": 0.5, "k": 5}
    assert math.isnan(swept_or_fixed(["rescale"], {}, {})["rescale"])


def test_gen_loss_divides_by_the_stl_baseline_of_the_same_seed_and_point():
    df = pd.DataFrame({"regime": ["stl", "stl", "ptft", "stl", "ptft", "mtl"],
                       "n": [16, 64, 64, 16, 64, 64], "seed": [0, 0, 0, 1, 1, 2],
                       "test_mse": [2.0, 1.0, 0.5, 4.0, 1.0, 0.3]})
    np.testing.assert_array_equal(gen_loss(df, ["seed"]), [1.0, 0.5, 0.25, 1.0, 0.25, np.nan])
    # two baselines for one key (STL with variants): ambiguous, so NaN rather than a guess
    twice = pd.concat([df, df.iloc[[0]].assign(test_mse=3.0)], ignore_index=True)
    assert np.isnan(gen_loss(twice, ["seed"])[:3]).all()
