"""The WZR family's experiment files, schema errors and plans."""
import pytest

from featreuse.analysis.experiments import load_experiment
from featreuse.analysis.families import get_family
from featreuse.errors import InputError, InputTypeError

NAMES = ("wzr-capacity", "wzr-covariance", "wzr-reweight", "wzr-align", "wzr-ablation")
FAMILY = get_family("wzr")


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("quick", [False, True])
def test_named_experiments_plan_valid_runs(name, quick):
    config = load_experiment(name, quick=quick)
    assert config.family == "wzr" and config.kind == name.split("-")[1]
    assert FAMILY.config_from_dict(config.as_dict()) == config
    runs = FAMILY.plan(config)
    ids = [r.run_id for r in runs]
    assert len(set(ids)) == len(ids)
    for i, run in enumerate(runs):
        p = run.params
        assert {"regime", "seed"} <= set(p) and (not run.summary or "n" in p)
        assert all(ids.index(d) < i for d in run.needs)           # needs are planned first
        assert set(FAMILY.swept_columns(config)) <= set(p) or p["regime"] in ("stl", "pretrain",
                                                                               "joint")


def test_plans_count_and_link_their_runs():
    c = load_experiment("wzr-capacity", quick=True)
    assert len(FAMILY.plan(c)) == len(c.seeds) * len(c.n) * (1 + len(c.grid["r"]))
    c = load_experiment("wzr-covariance")
    n_mtl = len(c.grid["source"]) * len(c.grid["n_source"])
    assert len(FAMILY.plan(c)) == len(c.seeds) * (1 + n_mtl)
    c = load_experiment("wzr-align")
    runs = {r.run_id: r for r in FAMILY.plan(c)}
    for run in runs.values():
        p = run.params
        if p["regime"] in ("mtl", "mtl_aligned", "mtl_finetuned"):
            # read the joint model of the target and every source, of their seed, n, noise
            (need,) = run.needs
            assert runs[need].params == {"regime": "joint", "seed": p["seed"], "n": p["n"],
                                         "target_noise": p["target_noise"]}
            assert not runs[need].summary
        if p["regime"] in ("ptft", "ptft_aligned"):
            (need,) = run.needs
            assert runs[need].params == {"regime": "pretrain", "seed": p["seed"],
                                         "source": p["source"]}
            assert not runs[need].summary


def test_the_ablation_plans_a_joint_run_per_pair_and_one_stl_run_per_target():
    c = load_experiment("wzr-ablation")
    pairs = c.grid["pair"]
    assert len(pairs) == 15 and len({p.split("/")[1] for p in pairs}) == 6
    runs = {r.run_id: r for r in FAMILY.plan(c)}
    per_seed = 6 + 15 * (1 + 4)           # stl per target; per pair a joint run and 4 rows
    assert len(runs) == len(c.seeds) * per_seed
    for run in runs.values():
        p = run.params
        if p["regime"] in ("mtl", "mtl_aligned", "mtl_head", "mtl_finetuned"):
            (need,) = run.needs
            assert runs[need].params == {"regime": "joint", "seed": p["seed"], "n": p["n"],
                                         "pair": p["pair"]}
            assert p["pair"] == f"{p['source']}/{p['target']}" and not runs[need].summary
    assert FAMILY.swept_columns(c) == ["pair", "source", "target"]


def _load(tmp_path, text):
    path = tmp_path / "e.toml"
    path.write_text('family = "wzr"\nseeds = 2\n' + text)
    return load_experiment(str(path))


ABLATION = 'kind = "ablation"\nn = [100]\n'
PAIRS = '[grid]\npair = ["parity/big"]\n'

BAD = [
    (ABLATION, InputError, "grid.pair must be set"),
    (ABLATION + '[grid]\npair = ["parity/odd"]\n', InputError,
     "grid.pair: entry 'parity/odd' is not \"source/target\""),
    (ABLATION + '[grid]\npair = ["big/big"]\n', InputError,
     "grid.pair: entry 'big/big' pairs a task with itself"),
    (ABLATION + '[grid]\npair = ["big/loop", "big/loop"]\n', InputError,
     "grid.pair has repeats"),
    (ABLATION + PAIRS + '[model]\nwidth = 16\n', InputError,
     "model.width = 16 must be >= data.embed_dim = 32"),
    (ABLATION + PAIRS + '[data]\nembedding = "random"\n', InputError,
     "data.embedding must be one of"),
    (ABLATION + PAIRS + '[data]\nn_source = 1500\n', InputError,
     r"data.n_source = 1500 exceeds the training pool: 1797 - data.n_test = 1200"),
    (ABLATION + PAIRS + '[data]\nn_test = 1797\n', InputError,
     "data.n_test = 1797 must be < 1797"),
    (ABLATION + PAIRS + '[model]\nlr = 0\n', InputError, "model.lr must be > 0"),
    (ABLATION + PAIRS + '[model]\nsteps = 1.5\n', InputTypeError,
     "model.steps must be an integer"),
    ('kind = "ablation"\nn = [100]\nregimes = ["mtl_head"]\n' + PAIRS, InputError,
     "'mtl_head' needs 'mtl'"),
    ('kind = "align"\nn = [20]\n[grid]\nsource = ["rotated"]\n', InputError,
     "model.r = 2 must be < k = 2"),
    ('kind = "align"\nn = [20]\n[grid]\nsource = ["rotated", "aligned"]\n'
     'target_noise = [-1.0]\n', InputError, "grid.target_noise entries must be >= 0"),
    ('kind = "align"\nn = [20]\n[grid]\nsource = ["rotated", "aligned"]\n[model]\n'
     'align_weight_decay = -1\n', InputError, "model.align_weight_decay must be >= 0"),
    ('kind = "align"\nn = [20]\n[grid]\nsource = ["rotated", "aligned"]\n'
     'target_noise = [0.0, 1.0]\n[data]\ntarget_noise = 0.5\n', InputError,
     r"target_noise is set in both \[data\] and \[grid\]"),
    ('kind = "capacity"\nn = [40]\ncolour = 1\n[grid]\nr = [1]\n', InputError,
     "unknown key 'colour'"),
    ('kind = "nonsense"\nn = [40]\n', InputError, "kind: unknown kind 'nonsense'"),
    ('kind = 3\nn = [40]\n', InputTypeError, "kind must be a string"),
    ('kind = "capacity"\nn = [40]\n', InputError, "grid.r must be set"),
    ('kind = "capacity"\nn = [10]\n[grid]\nr = [1]\n', InputError,
     r"n entries must be >= data.D = 20"),
    ('kind = "capacity"\nn = [40]\n[grid]\nr = [0]\n', InputError, r"grid.r entries must be >= 1"),
    ('kind = "capacity"\nn = [40]\n[grid]\nr = [1]\n[data]\nrank = 9\n', InputError,
     r"data.rank = 9 must be <= data.k = 6"),
    ('kind = "covariance"\nn = [5]\n[grid]\nsource = ["skewed"]\nn_source = [200]\n', InputError,
     r"grid.source: unknown entry 'skewed'"),
    ('kind = "covariance"\nn = [5]\n[grid]\nsource = ["aligned"]\nn_source = [200]\n[data]\n'
     'kappa = -1.0\n', InputError, r"data.kappa must be > 0"),
    ('kind = "covariance"\nn = [5]\n[grid]\nsource = ["aligned"]\nn_source = [200]\n[data]\n'
     'cos = 1.5\n', InputError, r"data.cos must be in \[-1, 1\]"),
    ('kind = "covariance"\nn = [5]\n[grid]\nsource = ["aligned"]\nn_source = [200]\n[data]\n'
     'support = 60\n', InputError, r"data.support = 60 too large"),
    ('kind = "covariance"\nn = [5]\nregimes = ["mtl"]\n[grid]\nsource = ["aligned"]\n'
     'n_source = [200]\n', InputError, "regimes must include 'stl'"),
    ('kind = "reweight"\nn = [40]\n[model]\nr = 0\n', InputError, r"model.r must be >= 1"),
    ('kind = "reweight"\nn = [40]\n[data]\nnoisy_fraction = 1.0\n', InputError,
     r"data.noisy_fraction must be in \[0, 1\)"),
    ('kind = "reweight"\nn = [40]\n[grid]\nr = [1]\n', InputError, r"\[grid\]: unknown key 'r'"),
    ('kind = "align"\nn = [20]\nregimes = ["stl", "mtl_aligned"]\n[grid]\nsource = ["rotated"]\n',
     InputError, "'mtl_aligned' needs 'mtl'"),
    ('kind = "align"\nn = [20]\n[grid]\nsource = ["rotated"]\n[model]\ncoverage = 1.5\n',
     InputError, r"model.coverage must be in \(0, 1\]"),
    ('kind = "align"\nn = [20]\n[grid]\nsource = ["rotated"]\n[model]\nstarts = 2.5\n',
     InputTypeError, "model.starts must be an integer"),
]


@pytest.mark.parametrize("text, error, message", BAD)
def test_bad_keys_and_values_are_named(tmp_path, text, error, message):
    with pytest.raises(error, match=message):
        _load(tmp_path, text)


def test_the_old_tasks_table_is_named_with_its_new_name(tmp_path):
    text = 'kind = "capacity"\nn = [40]\n[grid]\nr = [1]\n[tasks]\nrank = 2\n'
    with pytest.raises(InputError, match=r"\[tasks\] was renamed \[data\]"):
        _load(tmp_path, text)
    config = _load(tmp_path, text.replace("[tasks]", "[data]"))
    # a file written before the rename stored the table as "tasks": it still reads
    stored = {("tasks" if k == "data" else k): v for k, v in config.as_dict().items()}
    assert FAMILY.config_from_dict(stored) == config


def test_the_ablation_tasks_are_fixed_per_seed_and_the_shared_control_has_one_embedding():
    import numpy as np

    from featreuse.analysis.families.wzr.ablation_data import TASKS, digit_tasks
    tasks = digit_tasks(0, 597, 32, "gaussian")
    assert len(tasks.test) == 597 and len(set(tasks.test)) == 597
    for name in TASKS:
        X, y = tasks.train(name, 500)
        assert X.shape == (500, 64) and set(np.unique(y)) == {-1.0, 1.0}
        assert not set(tasks.orders[name]) & set(tasks.test)      # training rows: the pool only
        assert np.array_equal(tasks.train(name, 100)[0], X[:100])  # a prefix of a larger sample
    assert not np.allclose(tasks.embeddings["parity"], tasks.embeddings["big"])
    shared = digit_tasks(0, 597, 32, "shared")
    assert all(np.array_equal(shared.embeddings[t], tasks.embeddings["parity"]) for t in TASKS)
    assert np.array_equal(digit_tasks(1, 597, 32, "gaussian").X.shape, (1797, 64))
    with pytest.raises(InputError, match="500 training samples asked for task 'big'"):
        digit_tasks(0, 1400, 32, "gaussian").train("big", 500)
