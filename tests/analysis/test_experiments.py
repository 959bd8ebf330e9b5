"""Experiment files: named or by path, family dispatch, --quick merging, errors before work."""
import pytest

from featreuse.analysis.experiments import list_experiments, load_experiment
from featreuse.analysis.families import FAMILIES
from featreuse.errors import InputError, InputTypeError


def test_named_experiments_are_listed_with_family_and_description():
    exps = list_experiments()
    assert {"diag-overlap", "diag-sparsity", "diag-rescale"} <= set(exps)
    for family, description in exps.values():
        assert family in FAMILIES and isinstance(description, str) and description


def test_every_named_experiment_loads_full_and_quick():
    for name, (family, _) in list_experiments().items():
        for quick in (False, True):
            config = load_experiment(name, quick=quick)
            assert config.family == family and config.name == name and config.quick == quick


def _write(tmp_path, text, name="exp"):
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return str(path)


BASE = 'family = "diagonal"\nregimes = ["stl"]\nn = [16]\nseeds = 2\n[teacher]\nk = 5\n'


def test_quick_tables_merge_and_values_replace(tmp_path):
    text = BASE + '[grid]\noverlap = [5, 0]\n[quick]\nseeds = 1\n[quick.teacher]\nD = 50\n'
    full = load_experiment(_write(tmp_path, text))
    quick = load_experiment(_write(tmp_path, text), quick=True)
    assert full.seeds == [0, 1] and quick.seeds == [0]
    # [quick.teacher] merges into [teacher]: k stays, D is replaced
    assert full.teacher["D"] == 1000 and quick.teacher["D"] == 50
    assert quick.teacher["k"] == 5 and quick.grid == {"overlap": [5, 0]}


def test_seeds_override():
    assert load_experiment("diag-overlap", quick=True, seeds=3).seeds == [0, 1, 2]
    with pytest.raises(InputError, match="seeds"):
        load_experiment("diag-overlap", seeds=0)


@pytest.mark.parametrize("text,match", [
    ('regimes = ["stl"]\nn = [16]\nseeds = 1\n[teacher]\nk = 5\n', "must name its family"),
    ('family = "spline"\n' + BASE[len('family = "diagonal"\n'):], "unknown family 'spline'"),
    (BASE + '[quick]\nfamily = "diagonal"\n', "cannot set 'family'"),
    (BASE.replace("seeds = 2\n", ""), "seeds must be set"),
    (BASE + "description = 3\n", "description"),
    ("family = [", "experiment file"),
])
def test_invalid_files_raise_before_any_work(tmp_path, text, match):
    with pytest.raises((InputError, InputTypeError), match=match):
        load_experiment(_write(tmp_path, text))


def test_unknown_name_and_missing_path():
    with pytest.raises(InputError, match="unknown experiment 'nope'.*diag-overlap"):
        load_experiment("nope")
    with pytest.raises(InputError, match="experiment file 'nonexist.toml' does not exist"):
        load_experiment("nonexist.toml")
    with pytest.raises(InputTypeError):
        load_experiment(3)
