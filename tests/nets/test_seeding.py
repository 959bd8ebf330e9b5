"""The one random-stream function and its table of stream numbers."""
import subprocess
import sys

import numpy as np

from featreuse.nets import seeding

#: every stream number as it was when the results on file were computed: changing one
#: changes every draw of that stream (and so the results)
FROZEN = {
    "RELU_TEACHER": 0, "RELU_AUX": 1, "RELU_MAIN": 2, "RELU_TEST": 3, "RELU_INIT": 4,
    "RELU_READOUT": 5, "RELU_SHUFFLE": 6, "RELU_SPLIT": 7,
    "DIAGONAL_TEACHER": 0, "DIAGONAL_AUX": 1, "DIAGONAL_MAIN": 2, "DIAGONAL_TEST": 3,
    "WZR_PARAMS": 0, "WZR_TARGET_X": 1, "WZR_SOURCE_X": 2, "WZR_TARGET_NOISE": 3,
    "WZR_SOURCE_NOISE": 4, "WZR_CORRUPT": 5, "WZR_ABLATION_INIT": 6,
    "DEEP_CLASSES": 20, "DEEP_SUBSET": 21, "DEEP_INIT": 22, "DEEP_SHUFFLE": 23,
    "CHS_SUBSPACE": 100, "CHS_TASKS": 101, "CHS_ROUNDS": 102, "CHS_INIT": 103,
    "CHS_PROBE_TASK": 104, "CHS_PROBE_DATA": 105,
}


def test_the_stream_numbers_are_frozen_and_all_listed():
    table = {k: v for k, v in vars(seeding).items() if k.isupper() and isinstance(v, int)}
    assert table == FROZEN


def test_stream_is_the_seed_sequence_of_seed_and_number():
    want = np.random.Generator(np.random.PCG64(np.random.SeedSequence(7, spawn_key=(103,))))
    np.testing.assert_array_equal(seeding.stream(7, seeding.CHS_INIT).standard_normal(5),
                                  want.standard_normal(5))
    np.testing.assert_array_equal(seeding.stream(np.int64(7), 103).integers(2 ** 63, size=3),
                                  seeding.stream(7, 103).integers(2 ** 63, size=3))


def test_seeding_does_not_import_torch():
    code = ("import sys\nimport featreuse.nets.seeding\n"
            "assert 'torch' not in sys.modules, 'torch imported'\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
