"""Helpers the families share: unique planned runs, paired variants, LL's gen. loss, checks."""
import math
import re

import numpy as np
import pandas as pd
import pytest

from featreuse.analysis.families import get_family
from featreuse.analysis.families.base import PlannedRun, unique_runs
from featreuse.analysis.families.checks import (OPTIONAL, check_bool, check_section, integer,
                                                 number, one_of)
from featreuse.analysis.families.gen_loss import gen_loss
from featreuse.analysis.families.variants import paired, swept_or_fixed
from featreuse.errors import InputError, InputTypeError


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


def test_a_declared_section_fills_defaults_checks_values_and_keeps_number_types():
    fields = {"count": (3, integer(1)), "rate": (0.5, number()),
              "scale": (2, number(as_float=True)),
              "share": (0.5, number(0.0, True, high=1.0, high_inclusive=False)),
              "mode": ("a", one_of(("a", "b"))), "flag": (False, check_bool),
              "extra": (OPTIONAL, integer(0))}
    out = check_section({"rate": 1, "extra": 0}, fields, "experiment 'e'", "train")
    assert out == {"count": 3, "rate": 1, "scale": 2.0, "share": 0.5, "mode": "a",
                   "flag": False, "extra": 0}
    # an int stays an int (run ids hash the params) unless the check says as_float
    assert type(out["rate"]) is int and type(out["scale"]) is float
    assert "extra" not in check_section({}, fields, "experiment 'e'", "train")
    for table, error, message in [
            ({"count": 0}, InputError, "experiment 'e': train.count must be >= 1, got 0"),
            ({"count": 1.5}, InputTypeError, "train.count must be an integer"),
            ({"rate": -1}, InputError, "train.rate must be > 0 and finite, got -1"),
            ({"share": 1.0}, InputError, "train.share must be in [0, 1), got 1.0"),
            ({"mode": "c"}, InputError, "train.mode must be one of ['a', 'b'], got 'c'"),
            ({"flag": 1}, InputTypeError, "train.flag must be true or false"),
            ({"colour": 1}, InputError, "[train]: unknown key 'colour'")]:
        with pytest.raises(error, match=re.escape(message)):
            check_section(table, fields, "experiment 'e'", "train")


#: one mistake in [train], [train.<regime>], [variants.<regime>] or [pretrain], and its message
#: (after the experiment's name; the lists of known regimes and keys differ between the families)
MISTAKES = [
    ({"train": {"bogus": {"lr": 0.1}}}, "[train.bogus]: unknown regime"),
    ({"train": {"learning_rate": 0.1}}, "[train]: unknown setting 'learning_rate'"),
    ({"train": {"lr": -1.0}}, "train.lr must be > 0 and finite, got -1.0"),
    ({"train": {"stl": {"lr": -1.0}}}, "train.stl.lr must be > 0 and finite, got -1.0"),
    ({"train": {"stl": {"rescale": 0.5}}}, "train.stl: unknown key 'rescale'"),
    ({"train": {"max_restarts": -1}}, "train.max_restarts must be >= 0, got -1"),
    ({"variants": {"mtl": {"lr": [0.1]}}}, "[variants.mtl]: 'mtl' is not among the regimes"),
    ({"variants": {"stl": {"lr": [0.1, 1.0]}}},
     "[variants.stl]: STL at n = 16 is the gen. loss baseline"),
    ({"variants": {"ptft": {}}}, "[variants.ptft] must be a non-empty table of lists"),
    ({"variants": {"ptft": {"colour": [1.0]}}}, "variants.ptft: unknown key 'colour'"),
    ({"variants": {"ptft": {"rescale": 1.0}}}, "variants.ptft.rescale must be a non-empty list"),
    ({"variants": {"ptft": {"rescale": [1.0, -1.0]}}},
     "variants.ptft.rescale entries must be > 0 and finite, got -1.0"),
    ({"variants": {"ptft": {"rescale": [1.0, 0.1], "lr": [0.1]}}},
     "variants.ptft: paired lists must have equal lengths, got [1, 2]"),
    ({"variants": {"ptft": {"rescale": [1.0, 1.0]}}}, "variants.ptft has repeated settings"),
    ({"pretrain": {"max_steps": 0}}, "pretrain.max_steps must be >= 1, got 0"),
    ({"pretrain": {"epochs": 5}}, "pretrain: unknown key 'epochs'"),
]
BASES = {"diagonal": {"teacher": {"k": 5}}, "relu": {}}


@pytest.mark.parametrize("table, message", MISTAKES)
def test_one_mistake_gets_one_message_in_the_diagonal_and_relu_families(table, message):
    messages = {}
    for family, base in BASES.items():
        with pytest.raises(InputError) as info:
            get_family(family).parse_config({"regimes": ["stl", "ptft"], "n": [16], **base,
                                             **table}, name="e", description="", quick=False,
                                            seeds=[0])
        messages[family] = re.sub(r" \((allowed|known): .*\)$", "", str(info.value))
    assert messages["diagonal"] == messages["relu"]
    assert messages["relu"].startswith("experiment 'e': ") and message in messages["relu"]
