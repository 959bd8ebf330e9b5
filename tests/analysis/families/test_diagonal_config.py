"""The diagonal family's experiment schema and plan."""
import pytest

from featreuse.analysis.experiments import load_experiment
from featreuse.analysis.families.diagonal.config import teacher_of
from featreuse.analysis.families.diagonal.plan import plan
from featreuse.errors import InputError, InputTypeError

NS = [16, 32, 64, 128, 256, 512]
ALL = ["stl", "mtl", "ptft", "ptft_lp", "stl_lp"]


def _summary_runs(config):
    return [r for r in plan(config) if r.summary]


def test_diag_overlap_grid():
    c = load_experiment("diag-overlap")
    assert c.grid["overlap"] == [40, 30, 20, 0] and c.teacher["k"] == 40
    assert c.n == NS and c.seeds == list(range(6)) and c.regimes == ALL
    assert c.teacher["D"] == 1000 and c.teacher["n_aux"] == 1024
    assert c.teacher["k_aux"] == 40 and c.teacher["n_test"] == 10000
    assert c.train["mtl"]["method"] == "flow"  # the trainer of a regime is its `method`
    runs = plan(c)
    assert len(_summary_runs(c)) == 6 * 4 * 5 * 6
    # one pretraining per seed, without a summary row, needed by every PT+FT run of its seed
    pre = {r.params["seed"]: r for r in runs if r.params["regime"] == "pretrain"}
    assert sorted(pre) == list(range(6)) and not any(r.summary for r in pre.values())
    for r in runs:
        finetunes = r.params["regime"] in ("ptft", "ptft_lp")
        assert r.needs == ((pre[r.params["seed"]].run_id,) if finetunes else ())
        if finetunes:  # planned after what it needs
            assert runs.index(pre[r.params["seed"]]) < runs.index(r)
    q = load_experiment("diag-overlap", quick=True)
    assert q.quick and len(q.seeds) < 6 and 16 in q.n and q.teacher["D"] == 1000


def test_diag_sparsity_grid():
    c = load_experiment("diag-sparsity")
    assert c.grid["k"] == [5, 10, 20, 30, 40]
    assert c.grid["support"] == ["nested", "disjoint"]
    assert teacher_of(c.teacher, {"k": 5, "support": "nested"})["overlap"] == 5
    assert teacher_of(c.teacher, {"k": 5, "support": "disjoint"})["overlap"] == 0
    assert c.n == NS and c.seeds == list(range(6)) and c.regimes == ALL


def test_diag_rescale_grid_pairs_s_with_c():
    c = load_experiment("diag-rescale")
    v = c.variants["ptft"]
    assert list(zip(v["rescale"], v["readout_init"])) == [
        (1.0, 1e-3), (0.1, 1e-4), (0.01, 1e-5), (0.001, 1e-6)]
    ptft = [r.params for r in plan(c) if r.params["regime"] == "ptft"]
    # paired, not crossed: 4 variants per (seed, grid point, n)
    assert len(ptft) == 6 * 10 * 4 * 6
    assert {(p["rescale"], p["readout_init"]) for p in ptft} == set(zip(v["rescale"],
                                                                        v["readout_init"]))


def test_plan_always_has_the_stl_n16_baseline(tmp_path):
    path = tmp_path / "e.toml"
    path.write_text('family = "diagonal"\nregimes = ["ptft"]\nn = [64]\nseeds = 2\n'
                    '[teacher]\nk = 5\n[grid]\noverlap = [5, 0]\n')
    runs = _summary_runs(load_experiment(str(path)))
    base = [r.params for r in runs if r.params["regime"] == "stl"]
    assert sorted((p["seed"], p["overlap"]) for p in base) == [(0, 0), (0, 5), (1, 0), (1, 5)]
    assert all(p["n"] == 16 for p in base)
    assert len({r.run_id for r in runs}) == len(runs) == 8


def _write(tmp_path, text):
    path = tmp_path / "bad.toml"
    path.write_text('family = "diagonal"\n' + text)
    return str(path)


BASE = 'regimes = ["stl"]\nn = [16]\nseeds = 1\n'


@pytest.mark.parametrize("text,match", [
    (BASE + "[teacher]\nk = 40\n[grid]\noverlap = [41]\n", "overlap"),
    (BASE + "[teacher]\nk = 40\n[grid]\noverlap = [-1]\n", "overlap"),
    (BASE + "[grid]\nk = [0]\n", "k"),
    (BASE + "[grid]\nk = [5]\nsupport = [\"sideways\"]\n", "support"),
    (BASE + "[teacher]\nk = 5\nwidth = 3\n", "width"),
    ('regimes = ["stl", "bogus"]\nn = [16]\nseeds = 1\n[teacher]\nk = 5\n', "bogus"),
    ('methods = ["stl"]\nn = [16]\nseeds = 1\n[teacher]\nk = 5\n', "methods"),
    ('regimes = ["stl"]\nn = [16, 0]\nseeds = 1\n[teacher]\nk = 5\n', "n"),
    ('regimes = ["stl"]\nn = [16, 16]\nseeds = 1\n[teacher]\nk = 5\n', "repeated"),
    (BASE + "[teacher]\nk = 5\n[train]\nmethod = \"newton\"\n", "method"),
    (BASE + "[teacher]\nk = 5\n[train]\ninit = -1.0\n", "init"),
    (BASE + "[teacher]\nk = 5\n[train.stl]\nrescale = 0.1\n", "rescale"),
    (BASE + "[teacher]\nk = 5\n[train.bogus]\ninit = 0.1\n", "unknown regime"),
    ('regimes = ["stl", "ptft"]\nn = [16]\nseeds = 1\n[teacher]\nk = 5\n[variants.ptft]\n'
     'rescale = [1.0, 0.1]\nreadout_init = [1e-3]\n', "equal lengths"),
    (BASE + '[teacher]\nk = 5\n[variants.ptft]\nrescale = [1.0]\n', "ptft"),
    (BASE + "[teacher]\nk = 5\n[grid]\nsupport = [\"nested\"]\noverlap = [1]\n", "overlap"),
    (BASE, "k must be set"),
    (BASE + "[teacher]\nk = 5\nshuffle = true\n", "shuffle"),
    (BASE + "colour = 1\n[teacher]\nk = 5\n", "colour"),
    (BASE + "certify = \"sometimes\"\n[teacher]\nk = 5\n", "certify must be"),
    (BASE + "[teacher]\nD = 50\nk = 20\n[grid]\noverlap = [0]\n", "D - k_aux"),
])
def test_invalid_configs_raise_before_any_work(tmp_path, text, match):
    with pytest.raises((InputError, InputTypeError), match=match):
        load_experiment(_write(tmp_path, text))
