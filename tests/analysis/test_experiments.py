"""Experiment registry: the named grids, validation before any work."""
import pytest

from analysis.experiments import list_experiments, load_experiment, teacher_of
from analysis.sweep import plan
from solvers.errors import InputError, InputTypeError

NS = [16, 32, 64, 128, 256, 512]
ALL = ["stl", "mtl", "ptft", "ptft_lp", "stl_lp"]


def test_named_experiments_are_listed_with_descriptions():
    exps = list_experiments()
    assert {"diag-overlap", "diag-sparsity", "diag-rescale"} <= set(exps)
    assert all(isinstance(d, str) and d for d in exps.values())


def test_diag_overlap_grid():
    c = load_experiment("diag-overlap")
    assert c["grid"]["overlap"] == [40, 30, 20, 0] and c["teacher"]["k"] == 40
    assert c["n"] == NS and c["seeds"] == list(range(6)) and c["methods"] == ALL
    assert c["teacher"]["D"] == 1000 and c["teacher"]["n_aux"] == 1024
    assert c["teacher"]["k_aux"] == 40 and c["teacher"]["n_test"] == 10000
    assert len(plan(c)) == 6 * 4 * 5 * 6
    q = load_experiment("diag-overlap", quick=True)
    assert q["quick"] and len(q["seeds"]) < 6 and 16 in q["n"] and q["teacher"]["D"] == 1000


def test_diag_sparsity_grid():
    c = load_experiment("diag-sparsity")
    assert c["grid"]["k"] == [5, 10, 20, 30, 40]
    assert c["grid"]["support"] == ["nested", "disjoint"]
    assert teacher_of(c["teacher"], {"k": 5, "support": "nested"})["overlap"] == 5
    assert teacher_of(c["teacher"], {"k": 5, "support": "disjoint"})["overlap"] == 0
    assert c["n"] == NS and c["seeds"] == list(range(6)) and c["methods"] == ALL


def test_diag_rescale_grid_pairs_s_with_c():
    c = load_experiment("diag-rescale")
    v = c["variants"]["ptft"]
    assert list(zip(v["rescale"], v["readout_init"])) == [
        (1.0, 1e-3), (0.1, 1e-4), (0.01, 1e-5), (0.001, 1e-6)]
    runs = plan(c)
    ptft = [p for _, p in runs if p["method"] == "ptft"]
    # paired, not crossed: 4 variants per (seed, grid point, n)
    assert len(ptft) == 6 * 10 * 4 * 6
    assert {(p["rescale"], p["readout_init"]) for p in ptft} == set(zip(v["rescale"], v["readout_init"]))


def test_plan_always_has_the_stl_n16_baseline(tmp_path):
    path = tmp_path / "e.toml"
    path.write_text('methods = ["ptft"]\nn = [64]\nseeds = 2\n[teacher]\nk = 5\n[grid]\noverlap = [5, 0]\n')
    runs = plan(load_experiment(str(path)))
    base = [p for _, p in runs if p["method"] == "stl"]
    assert sorted((p["seed"], p["overlap"]) for p in base) == [(0, 0), (0, 5), (1, 0), (1, 5)]
    assert all(p["n"] == 16 for p in base)
    assert len({rid for rid, _ in runs}) == len(runs) == 8


def test_seeds_override():
    assert load_experiment("diag-overlap", quick=True, seeds=3)["seeds"] == [0, 1, 2]
    with pytest.raises(InputError, match="seeds"):
        load_experiment("diag-overlap", seeds=0)


def _write(tmp_path, text):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    return str(path)


BASE = 'methods = ["stl"]\nn = [16]\nseeds = 1\n'


@pytest.mark.parametrize("text,match", [
    (BASE + "[teacher]\nk = 40\n[grid]\noverlap = [41]\n", "overlap"),
    (BASE + "[teacher]\nk = 40\n[grid]\noverlap = [-1]\n", "overlap"),
    (BASE + "[grid]\nk = [0]\n", "k"),
    (BASE + "[grid]\nk = [5]\nsupport = [\"sideways\"]\n", "support"),
    (BASE + "[teacher]\nk = 5\nwidth = 3\n", "width"),
    ('methods = ["stl", "bogus"]\nn = [16]\n[teacher]\nk = 5\n', "bogus"),
    ('methods = ["stl"]\nn = [16, 0]\n[teacher]\nk = 5\n', "n"),
    ('methods = ["stl"]\nn = [16, 16]\n[teacher]\nk = 5\n', "repeated"),
    (BASE + "[teacher]\nk = 5\n[train]\nmethod = \"newton\"\n", "method"),
    (BASE + "[teacher]\nk = 5\n[train]\ninit = -1.0\n", "init"),
    (BASE + "[teacher]\nk = 5\n[train.stl]\nrescale = 0.1\n", "rescale"),
    ('methods = ["stl", "ptft"]\nn = [16]\nseeds = 1\n[teacher]\nk = 5\n[variants.ptft]\n'
     'rescale = [1.0, 0.1]\nreadout_init = [1e-3]\n', "equal lengths"),
    (BASE + '[teacher]\nk = 5\n[variants.ptft]\nrescale = [1.0]\n', "ptft"),
    (BASE + "[teacher]\nk = 5\n[grid]\nsupport = [\"nested\"]\noverlap = [1]\n", "overlap"),
    (BASE, "k must be set"),
    (BASE + "[teacher]\nk = 5\nshuffle = true\n", "shuffle"),
    (BASE + "colour = 1\n[teacher]\nk = 5\n", "colour"),
    (BASE + "[teacher]\nD = 50\nk = 20\n[grid]\noverlap = [0]\n", "D - k_aux"),
])
def test_invalid_configs_raise_before_any_work(tmp_path, text, match):
    with pytest.raises((InputError, InputTypeError), match=match):
        load_experiment(_write(tmp_path, text))


def test_unknown_name():
    with pytest.raises(InputError, match="unknown experiment 'nope'.*diag-overlap"):
        load_experiment("nope")
    with pytest.raises(InputTypeError):
        load_experiment(3)


# ---------------------------------------------------------------- LL's qualitative claims
# on the --quick grids, at the real sizes (D = 1000, n_aux = 1024, 10,000 test samples)

@pytest.fixture(scope="module")
def overlap_quick(tmp_path_factory):
    from analysis import load
    from analysis.sweep import run_sweep
    path = tmp_path_factory.mktemp("claims") / "overlap.h5"
    counts = run_sweep(load_experiment("diag-overlap", quick=True), path, workers=2, progress=False)
    assert counts["failed"] == 0
    return load(path)


@pytest.fixture(scope="module")
def rescale_quick(tmp_path_factory):
    from analysis import load
    from analysis.sweep import run_sweep
    path = tmp_path_factory.mktemp("claims") / "rescale.h5"
    counts = run_sweep(load_experiment("diag-rescale", quick=True), path, workers=2, progress=False)
    assert counts["failed"] == 0
    return load(path)


def _mean(df, **where):
    sel = df
    for k, v in where.items():
        sel = sel[sel[k] == v]
    assert len(sel) == 2, where  # both quick seeds
    return sel["gen_loss"].mean()


def test_shared_features_ptft_and_mtl_beat_stl_tenfold(overlap_quick):
    # all 40 features shared: PT+FT and MTL reuse them (LL Fig. 2)
    stl = _mean(overlap_quick, method="stl", n=64, overlap=40)
    assert _mean(overlap_quick, method="mtl", n=64, overlap=40) <= stl / 10
    assert _mean(overlap_quick, method="ptft", n=64, overlap=40) <= stl / 10
    assert _mean(overlap_quick, method="ptft_lp", n=64, overlap=40) <= stl / 10


def test_linear_probing_plateaus_when_new_features_are_needed(overlap_quick):
    # overlap 0: the frozen pretrained first layer is ~alpha off the aux support
    lp = [_mean(overlap_quick, method="ptft_lp", n=n, overlap=0) for n in (16, 64, 256)]
    ft = _mean(overlap_quick, method="ptft", n=256, overlap=0)
    stl = _mean(overlap_quick, method="stl", n=256, overlap=0)
    assert min(lp) > 0.3  # no learning of the new features
    assert ft < lp[-1] / 5 and stl < lp[-1] / 5


def test_rescaling_helps_sparse_subsets_and_hurts_the_full_set(rescale_quick):
    # LL: s < 1 pushes finetuning towards the sparse (rich) regime within the
    # pretrained features: good for a 5-feature subset, bad for all 40
    for n in (16, 64):
        assert _mean(rescale_quick, method="ptft", n=n, k=5, rescale=0.1) < \
            _mean(rescale_quick, method="ptft", n=n, k=5, rescale=1.0)
    assert _mean(rescale_quick, method="ptft", n=64, k=40, rescale=0.1) > \
        10 * _mean(rescale_quick, method="ptft", n=64, k=40, rescale=1.0)
