"""The ReLU family's experiment schema: the named files and the validation of bad input."""
import json

import pytest

from featreuse.analysis.experiments import load_experiment
from featreuse.analysis.families import get_family
from featreuse.analysis.families.relu.config import (
    GRID_KEYS, PRETRAIN_DEFAULTS, TRAIN_DEFAULTS, grid_points, teacher_settings)
from featreuse.errors import InputError, InputTypeError

NS = [16, 32, 64, 128, 256, 512]
NAMES = ["relu-overlap", "relu-sparsity", "relu-rescale", "relu-correlated"]


@pytest.mark.parametrize("name", NAMES)
def test_full_grids_use_LLs_protocol(name):
    c = load_experiment(name)
    assert c.family == "relu" and c.n == NS and c.seeds == list(range(6))
    assert c.network == {"D": 15, "K": 1000, "sigma": 1e-3, "dtype": "float32"}
    assert c.teacher["n_aux"] == 1024 and c.teacher["n_test"] == 10000
    assert c.teacher["n_aux_units"] == 6
    for settings in c.train.values():
        if "max_epochs" in settings:  # the SGD regimes
            assert settings["lr"] == 0.1 and settings["batch_size"] == 128
            assert settings["tol"] == 1e-8 and settings["max_epochs"] == 100_000
            assert settings["divergence_loss"] == 1000.0 and settings["method"] == "sgd"
    assert c.pretrain == {"lr": 0.1, "max_steps": 100_000, "tol": 1e-8,
                          "divergence_loss": 1000.0, "max_restarts": 4, "method": "sgd"}


@pytest.mark.parametrize("name", NAMES)
def test_quick_grids_reduce_the_documented_settings_only(name):
    full, quick = load_experiment(name), load_experiment(name, quick=True)
    assert quick.quick and quick.seeds == [0, 1] and set(quick.n) <= set(full.n)
    assert quick.network == {**full.network, "K": 100}
    assert quick.teacher == full.teacher and quick.regimes == full.regimes
    assert quick.pretrain == {**full.pretrain, "lr": 0.5, "max_steps": 20_000, "tol": 1e-6}
    for regime, settings in quick.train.items():
        changed = {k for k in settings if settings[k] != full.train[regime][k]}
        assert changed <= {"max_epochs", "tol"}
        if "tol" in settings:
            assert settings["tol"] == 1e-6 and settings["max_epochs"] == 20_000
    quick_points = {tuple(sorted(p.items())) for p in grid_points(quick)}
    full_points = {tuple(sorted(p.items())) for p in grid_points(full)}
    assert quick_points <= full_points


def test_overlap_and_correlated_teachers():
    c = load_experiment("relu-overlap")
    rhos = [teacher_settings(c, p)[1] for p in grid_points(c)]
    assert rhos == [[1.0] * 6, [1.0] * 5 + [0.0], [1.0] * 3 + [0.0] * 3, [0.0] * 6]
    c = load_experiment("relu-correlated")
    points = grid_points(c)
    assert len(points) == 2 + 25
    assert points[:2] == [{"rho": 0.9, "magnitude": 1.0, "sigma": 1e-3},
                          {"rho": 1.0, "magnitude": 1.0, "sigma": 1e-3}]
    assert {p["sigma"] for p in points[2:]} == {1e-6}
    s = load_experiment("relu-sparsity")
    assert [teacher_settings(s, p) for p in grid_points(s)][:2] == [(1, [1.0], 1.0),
                                                                     (2, [1.0, 1.0], 1.0)]
    assert teacher_settings(s, {"rho": 0.0, "n_main_units": 3})[1] == [0.0] * 3


def test_config_round_trips_through_the_stored_json():
    family = get_family("relu")
    for name in NAMES:
        c = load_experiment(name, quick=True)
        assert family.config_from_dict(json.loads(json.dumps(c.as_dict()))) == c


def _parse(table, quick=False):
    base = {"regimes": ["stl", "ptft"], "n": [16]}
    return get_family("relu").parse_config({**base, **table}, name="t", description="",
                                           quick=quick, seeds=[0])


def test_defaults_are_LLs():
    c = _parse({})
    assert c.train["stl"] == {k: TRAIN_DEFAULTS[k] for k in c.train["stl"]}
    assert c.train["ptft"]["rescale"] == 1.0 and c.pretrain == PRETRAIN_DEFAULTS
    assert c.grid == [] and grid_points(c) == [{}]


@pytest.mark.parametrize("table, words", [
    ({"regims": ["stl"]}, ["'regims'"]),
    ({"network": {"K": 10, "width": 3, "depth": 2}}, ["'depth'", "'width'"]),
    ({"network": {"dtype": "float16"}}, ["network.dtype"]),
    ({"network": {"sigma": 0.0}}, ["network.sigma"]),
    ({"teacher": {"n_aux": 0}}, ["teacher.n_aux"]),
    ({"teacher": {"rho": 1.5}}, ["teacher.rho"]),
    ({"teacher": {"units": 3}}, ["'units'"]),
    ({"grid": {"overlap": [1]}}, ["'overlap'"]),
    ({"grid": {"rho": [0.5, 0.5]}}, ["grid.rho", "repeated"]),
    ({"grid": {"rho": [-2.0]}}, ["grid.rho"]),
    ({"grid": {"magnitude": []}}, ["grid.magnitude"]),
    ({"grid": {"shared": [7]}}, ["shared = 7", "n_main_units = 6"]),
    ({"grid": {"n_main_units": [7]}}, ["n_main_units = 7", "n_aux_units"]),
    ({"grid": [{"rho": [1.0]}, {"k": [1]}]}, ["grid[1]", "'k'"]),
    ({"network": {"D": 11}}, ["network.D = 11"]),
    ({"train": {"learning_rate": 0.1}}, ["'learning_rate'"]),
    ({"train": {"lr": -1.0}}, ["train.lr"]),
    ({"train": {"gd": {"lr": 0.1}}}, ["[train.gd]"]),
    ({"train": {"stl": {"rescale": 2.0}}}, ["train.stl", "'rescale'"]),
    ({"train": {"max_epochs": 0}}, ["train.max_epochs"]),
    ({"variants": {"stl": {"lr": [1.0, 0.1]}}}, ["variants.stl", "baseline"]),
    ({"variants": {"mtl": {"lr": [1.0]}}}, ["variants.mtl", "not among the regimes"]),
    ({"variants": {"ptft": {"rescale": [1.0, 0.1], "lr": [0.1]}}}, ["equal lengths"]),
    ({"variants": {"ptft": {"rescale": [1.0, 1.0]}}}, ["repeated"]),
    ({"pretrain": {"max_steps": 0}}, ["pretrain.max_steps"]),
    ({"pretrain": {"epochs": 5}}, ["'epochs'"]),
    ({"train": {"method": "adam"}}, ["train.method", "'flow'"]),
    ({"pretrain": {"method": "ode"}}, ["pretrain.method"]),
])
def test_bad_values_raise_input_errors_naming_them(table, words):
    with pytest.raises(InputError) as info:
        _parse(table)
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize("table, words", [
    ({"network": {"K": "100"}}, ["network.K"]),
    ({"train": {"max_epochs": 1.5}}, ["train.max_epochs"]),
    ({"grid": {"rho": ["high"]}}, ["grid.rho"]),
    ({"grid": "rho"}, ["grid"]),
    ({"teacher": {"magnitude": True}}, ["teacher.magnitude"]),
])
def test_bad_types_raise_input_type_errors_naming_them(table, words):
    with pytest.raises(InputTypeError) as info:
        _parse(table)
    for word in words:
        assert word in str(info.value)


def test_ridge_settings_are_checked():
    with pytest.raises(InputError, match="train.ntk.*alpha_min"):
        get_family("relu").parse_config(
            {"regimes": ["stl", "ntk"], "n": [16], "train": {"ntk": {"alpha_min": 1e3,
                                                                       "alpha_max": 1.0}}},
            name="t", description="", quick=False, seeds=[0])
    with pytest.raises(InputError, match="val_fraction"):
        get_family("relu").parse_config(
            {"regimes": ["stl", "ptft_lp"], "n": [16], "train": {"val_fraction": 1.0}},
            name="t", description="", quick=False, seeds=[0])


def test_grid_keys_are_the_teacher_and_init_parameters():
    assert set(GRID_KEYS) == {"rho", "shared", "n_main_units", "magnitude", "sigma"}
