"""The deep family: config checks before any run, the plan, weight artefacts, run --data."""
import os

import numpy as np
import pytest

from featreuse import analysis
from featreuse.analysis.cli import main
from featreuse.analysis.experiments import load_experiment
from featreuse.analysis.families.deep import FAMILY
from featreuse.analysis.families.deep import config as deep_config
from featreuse.analysis.families.deep.weights import encode_state, load_state
from featreuse.analysis.store import read_config
from featreuse.errors import InputError, InputTypeError

from tests.analysis.families.cifar_files import write_cifar

@pytest.fixture(autouse=True)
def one_thread():
    """Tiny networks: one torch thread (several threads spin on a busy machine)."""
    import torch
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


TABLE = {"data": "digits", "models": ["resnet18"], "regimes": ["stl", "mtl", "ptft"],
         "n": [10, 20], "rescale": [0.5, 1.0], "width": 0.0625}


def parse(**changes):
    table = {**TABLE, **changes}
    return FAMILY.parse_config(table, name="t", description="", quick=False, seeds=[0, 1])


def test_model_names_match_the_networks():
    from featreuse.nets.deep.models import MODELS
    assert deep_config.MODELS == MODELS


def test_the_plan_shares_one_pretraining_per_seed_and_model():
    config = parse(models=["resnet18", "vit"])
    runs = FAMILY.plan(config)
    # per seed and model: a pretraining, and per n: stl, mtl and one ptft per s
    assert len(runs) == 2 * 2 * (1 + 2 * (2 + 2))
    pre = [r for r in runs if r.params["regime"] == "pretrain"]
    assert len(pre) == 4 and not any(r.summary for r in pre)
    for r in runs:
        if r.params["regime"] == "ptft":
            (need,) = r.needs
            p = next(q for q in pre if q.run_id == need).params
            assert (p["seed"], p["model"]) == (r.params["seed"], r.params["model"])
        else:
            assert r.needs == ()
    assert {r.run_id for r in runs if r.params["regime"] == "stl"}.isdisjoint(
        r.run_id for r in pre)
    assert not any(r.params["regime"] == "pretrain" for r in FAMILY.plan(parse(regimes=["stl"])))


@pytest.mark.parametrize("changes, error, match", [
    (dict(models=["resnet50"]), InputError, "unknown entry 'resnet50'"),
    (dict(regimes=["ptft", "lp"]), InputError, "unknown entry 'lp'"),
    (dict(data="/no/such/folder"), InputError, "data: .* is not a folder"),
    (dict(data=3), InputTypeError, "data must be"),
    (dict(n=[10, 300]), InputError, "n: 300 main-task images"),
    (dict(n=[1]), InputError, "n entries must be >= 2"),
    (dict(rescale=[0.5, -1.0]), InputError, "rescale entries"),
    (dict(width=0.001), InputError, "width = 0.001 for model 'resnet18'"),
    (dict(models=["vit"], width=0.01), InputError, "fewer than 8"),
    (dict(train={"max_epochs": 0}), InputError, "train.max_epochs must be >= 1"),
    (dict(train={"batch_size": 1}), InputError, "batch_size must be >= 2"),
    (dict(metrics={"mode": "test"}), InputError, "metrics.mode"),
    (dict(metrics={"center": "no"}), InputTypeError, "metrics.center"),
    (dict(epochs=3), InputError, "unknown key 'epochs'"),
])
def test_bad_experiment_values_raise_naming_the_key(changes, error, match):
    with pytest.raises(error, match=match):
        parse(**changes)


def test_weights_round_trip_through_artefact_bytes():
    import torch
    from featreuse.nets.deep.models import build_model
    a = build_model("resnet18", 10, 0.0625, seed=1)
    a(torch.randn(4, 3, 32, 32))                        # running statistics move
    b = load_state(build_model("resnet18", 10, 0.0625, seed=2), encode_state(a))
    for (k, v), w in zip(a.state_dict().items(), b.state_dict().values()):
        assert torch.equal(v, w), k
    with pytest.raises(InputError, match="weights artefact"):
        load_state(build_model("resnet18_cifar", 10, 0.0625), encode_state(a))
    with pytest.raises(InputError, match="weights artefact"):
        load_state(build_model("resnet18", 10, 0.0625), b"garbage")


def test_named_experiments_parse_and_the_smoke_grid_is_tiny():
    full = load_experiment("deep-rescale")
    assert full.models == ["resnet18", "vit"] and full.rescale == [0.125, 0.25, 0.5, 1.0, 2.0]
    assert full.cifar_n == [10, 20, 50, 100, 200, 500, 1000] and full.width == 1.0
    assert full.train == deep_config.TRAIN_DEFAULTS
    assert full.metrics == {"center": False, "mode": "train"}
    quick = load_experiment("deep-rescale", quick=True)
    assert len(quick.rescale) >= 3 and quick.width < 1
    assert len(FAMILY.plan(load_experiment("deep-smoke", quick=True))) == 5


def test_run_reads_a_cifar_folder_given_by_data(tmp_path, capsys):
    folder = str(tmp_path / "cifar-100-python")
    write_cifar(folder, train_per_class=4, test_per_class=2)
    toml = tmp_path / "tiny.toml"
    toml.write_text('family = "deep"\nseeds = 1\nmodels = ["resnet18"]\nregimes = ["ptft"]\n'
                    'n = [10]\ncifar_n = [6]\nrescale = [0.5]\nwidth = 0.0625\n'
                    '[train]\nmax_epochs = 2\npretrain_max_epochs = 1\n')
    out = tmp_path / "tiny.h5"
    code = main(["run", str(toml), "--data", folder, "--out", str(out), "--workers", "0",
                 "--no-progress"])
    assert code == 0, capsys.readouterr().err
    df = analysis.load(out)
    assert list(df["n"]) == [6] and list(df["rescale"]) == [0.5]
    assert read_config(out).data == os.path.abspath(folder)
    assert np.isfinite(df["ensd_stage4"]).all() and df["test_error"].between(0, 1).all()


def test_run_checks_the_data_before_any_work(tmp_path, capsys):
    out = tmp_path / "never.h5"
    code = main(["run", "deep-smoke", "--data", str(tmp_path / "missing"), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists() and len(err.strip().splitlines()) == 1
    assert "data" in err and "missing" in err
    # a family without data says so, naming the key
    code = main(["run", "diag-overlap", "--quick", "--data", str(tmp_path), "--out", str(out)])
    assert code == 2 and "unknown key 'data'" in capsys.readouterr().err
