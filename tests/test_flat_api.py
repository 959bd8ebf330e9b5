"""The flat API of featreuse: run and load a sweep as the command does."""
import pytest

import featreuse as fr


def test_flat_run_and_load_sweep_an_experiment_as_the_command_does(tmp_path):
    toml = tmp_path / "tiny.toml"
    toml.write_text('family = "diagonal"\ndescription = "tiny"\nregimes = ["stl"]\nn = [8]\n'
                    'seeds = 1\n[teacher]\nD = 20\nk_aux = 4\nk = 4\nn_aux = 16\nn_test = 50\n'
                    '[train]\nmethod = "flow"\n')
    out = tmp_path / "tiny.h5"
    counts = fr.run(str(toml), out, workers=0, progress=False)
    assert counts["failed"] == 0 and counts["done"] == counts["runs"] == 2  # n = 8 and 16
    df = fr.load(out)
    assert sorted(df["n"]) == [8, 16] and df["gen_loss"].notna().all()
    assert fr.run(str(toml), out, workers=0, progress=False)["skipped"] == 2  # resumed: done
    with pytest.raises(fr.InputError, match="unknown experiment|not found|no experiment"):
        fr.run("no-such-experiment", tmp_path / "x.h5")
