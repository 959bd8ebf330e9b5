"""The ReLU family's plan: pretraining runs that finetuning runs need, baselines, batch keys."""
import collections
import math

from featreuse.analysis.experiments import load_experiment
from featreuse.analysis.families import get_family
from featreuse.analysis.families.relu.config import FINETUNES
from featreuse.analysis.families.relu.plan import BASELINE_N, batch_key, plan

FAMILY = get_family("relu")


def _by_regime(runs):
    out = collections.defaultdict(list)
    for r in runs:
        out[r.params["regime"]].append(r)
    return out


def test_overlap_plan_counts_and_needs():
    c = load_experiment("relu-overlap")
    runs = plan(c)
    assert len({r.run_id for r in runs}) == len(runs)
    by = _by_regime(runs)
    # 6 seeds x 4 grid points x 6 n per regime; one pretraining per seed
    for regime in ("stl", "mtl", "ptft", "ptft_lp", "ntk"):
        assert len(by[regime]) == 6 * 4 * 6
    pre = {r.params["seed"]: r for r in by["pretrain"]}
    assert sorted(pre) == list(range(6)) and not any(r.summary for r in pre.values())
    order = {r.run_id: i for i, r in enumerate(runs)}
    for r in runs:
        if r.params["regime"] in FINETUNES:
            (need,) = r.needs
            assert need == pre[r.params["seed"]].run_id and order[need] < order[r.run_id]
        else:
            assert r.needs == ()
        assert r.summary == (r.params["regime"] != "pretrain")


def test_pretraining_is_per_seed_and_init_scale():
    c = load_experiment("relu-correlated", quick=True)
    runs = plan(c)
    pre = {(r.params["seed"], r.params["sigma"]): r.run_id for r in runs
           if r.params["regime"] == "pretrain"}
    assert set(pre) == {(s, sigma) for s in (0, 1) for sigma in (1e-3, 1e-6)}
    for r in runs:
        if r.params["regime"] in FINETUNES:
            assert r.needs == (pre[(r.params["seed"], r.params["sigma"])],)


def test_every_grid_point_has_its_stl_baseline():
    c = load_experiment("relu-rescale", quick=True)
    c.n = [64]  # the grid lacks n = 16: the baseline is added anyway
    runs = plan(c)
    base = [r.params for r in runs if r.params["regime"] == "stl"
            and r.params["n"] == BASELINE_N]
    assert len(base) == 2 * 3  # seeds x grid points
    assert len([r for r in runs if r.params["regime"] == "ptft"]) == 2 * 3 * 3


def test_batch_keys_stack_sgd_runs_per_seed_and_pretrainings_together():
    c = load_experiment("relu-correlated", quick=True)
    keys = collections.defaultdict(set)
    for r in plan(c):
        keys[(r.params["regime"], r.params["seed"])].add(batch_key(c, r.params))
    # every pretraining of the sweep in one stack
    assert len({k for (regime, _), ks in keys.items() if regime == "pretrain" for k in ks}) == 1
    for seed in (0, 1):
        sgd = keys[("stl", seed)] | keys[("ptft", seed)]
        assert len(sgd) == 1 and keys[("mtl", seed)].isdisjoint(sgd)
        assert len(keys[("mtl", seed)]) == 1
        assert keys[("ptft_lp", seed)] == keys[("ntk", seed)] == {None}
    assert keys[("stl", 0)] != keys[("stl", 1)]
    assert FAMILY.batch_key(c, plan(c)[1].params) == batch_key(c, plan(c)[1].params)


def test_runs_with_other_stack_settings_get_other_keys():
    c = FAMILY.parse_config({"regimes": ["stl", "ptft"], "n": [16],
                             "train": {"ptft": {"tol": 1e-6}}},
                            name="t", description="", quick=False, seeds=[0])
    runs = {r.params["regime"]: r.params for r in plan(c)}
    assert batch_key(c, runs["stl"]) != batch_key(c, runs["ptft"])


def test_swept_columns_and_values():
    c = load_experiment("relu-rescale", quick=True)
    assert FAMILY.swept_columns(c) == ["n_main_units", "rescale"]
    stl = next(r.params for r in plan(c) if r.params["regime"] == "stl")
    assert math.isnan(FAMILY.swept_values(c, stl)["rescale"])  # STL has no rescaling
    c = load_experiment("relu-overlap", quick=True)
    ptft = next(r.params for r in plan(c) if r.params["regime"] == "ptft")
    assert FAMILY.swept_values(c, ptft) == {"shared": ptft["shared"]}
