"""The deep family's data: the CIFAR-100 python reader, the digits and the per-seed split."""
import os
import pickle

import numpy as np
import pytest

from featreuse.analysis.families.deep import cifar, tasks
from featreuse.analysis.families.deep.digits import TRAIN_PER_CLASS, load_digits
from featreuse.analysis.families.deep.images import model_inputs
from featreuse.errors import InputError
from tests.analysis.families.cifar_files import NAMES, write_cifar


@pytest.mark.parametrize("key", [bytes, str])
def test_the_reader_gives_the_files_pixels_and_labels_exactly(tmp_path, key):
    folder = str(tmp_path / f"cifar-{key.__name__}")
    splits = write_cifar(folder, key=key)
    data = cifar.load_cifar100(folder)
    assert data.class_names == ("apple", "bee", "cup", "dog", "elm") and data.max_value == 255
    for which, (x, y) in (("train", (data.train_x, data.train_y)),
                          ("test", (data.test_x, data.test_y))):
        raw, labels = splits[which]
        assert x.shape == (len(raw), 3, 32, 32) and x.dtype == np.uint8
        np.testing.assert_array_equal(y, labels)
        # row layout: 1024 red, then green, then blue pixels, each 32 rows of 32
        i, c, r, col = len(raw) - 1, 2, 5, 17
        assert x[i, c, r, col] == raw[i, c * 1024 + r * 32 + col]
        np.testing.assert_array_equal(x.reshape(len(raw), -1), raw)
    np.testing.assert_array_equal(data.counts("train"), [4] * 5)


def test_a_missing_or_malformed_folder_raises_before_any_run(tmp_path):
    with pytest.raises(InputError, match="data: .* is not a folder"):
        cifar.load_cifar100(str(tmp_path / "nowhere"))
    folder = str(tmp_path / "c")
    write_cifar(folder)
    os.remove(os.path.join(folder, "meta"))
    with pytest.raises(InputError, match="lacks meta"):
        cifar.load_cifar100(folder)
    write_cifar(folder)
    with open(os.path.join(folder, "test"), "wb") as f:
        f.write(b"not a pickle at all")
    with pytest.raises(InputError, match="^--data: .* is not a CIFAR-100 python pickle"):
        cifar.load_cifar100(folder, name="--data")
    bad = {"data": np.zeros((3, 100), np.uint8), "fine_labels": [0, 1, 2]}
    with open(os.path.join(folder, "test"), "wb") as f:
        pickle.dump(bad, f)
    with pytest.raises(InputError, match=r"uint8 \(N, 3072\)"):
        cifar.load_cifar100(folder, name="--data")
    bad = {"data": np.zeros((2, 3072), np.uint8), "fine_labels": [0, 7]}
    with open(os.path.join(folder, "test"), "wb") as f:
        pickle.dump(bad, f)
    with pytest.raises(InputError, match=r"fine labels must lie in \[0, 5\)"):
        cifar.load_cifar100(folder, name="--data")


def test_class_counts_that_do_not_allow_the_split_raise(tmp_path):
    folder = str(tmp_path / "two")
    write_cifar(folder, names=NAMES[:2])
    with pytest.raises(InputError, match="2 classes"):
        tasks.check_split(cifar.load_cifar100(folder), 4)
    folder = str(tmp_path / "five")
    write_cifar(folder, train_per_class=4)
    data = cifar.load_cifar100(folder)
    tasks.check_split(data, 8)                          # two classes of 4
    with pytest.raises(InputError, match="n: 9 main-task images"):
        tasks.check_split(data, 9)
    with pytest.raises(InputError, match="n = 9 exceeds"):
        tasks.main_train(data, 0, 9)


def test_the_split_of_a_seed(tmp_path):
    folder = str(tmp_path / "c")
    write_cifar(folder, train_per_class=6, test_per_class=3)
    data = cifar.load_cifar100(folder)
    main, aux = tasks.class_split(3, data.num_classes)
    assert len(main) == 2 and sorted(main + aux) == list(range(5))
    assert tasks.class_split(3, data.num_classes) == (main, aux)
    small, large = tasks.main_train(data, 3, 5), tasks.main_train(data, 3, 12)
    np.testing.assert_array_equal(small.X, large.X[:5])  # nested in n
    assert small.outputs == main and set(large.y) == {0, 1} and len(large) == 12
    test = tasks.main_test(data, 3)
    assert len(test) == 6 and test.outputs == main
    a = tasks.aux_train(data, 3)
    assert len(a) == 18 and a.outputs == aux
    # labels are positions among the outputs: the class of each image is outputs[y]
    pix = model_inputs(data.train_x, 255)
    for i in range(len(a)):
        cls = aux[a.y[i]]
        assert any(np.array_equal(a.X[i], pix[j]) for j in np.flatnonzero(data.train_y == cls))


def test_model_inputs_map_pixels_to_minus_one_to_one():
    pixels = np.array([0, 8, 16], dtype=np.uint8).reshape(1, 1, 1, 3)
    np.testing.assert_array_equal(model_inputs(pixels, 16).ravel(), [-1.0, 0.0, 1.0])
    assert model_inputs(pixels, 16).dtype == np.float32


def test_the_digits_are_upsampled_to_three_32_by_32_channels():
    from sklearn.datasets import load_digits as raw_digits
    raw = raw_digits()
    data = load_digits()
    assert data.train_x.shape == (10 * TRAIN_PER_CLASS, 3, 32, 32)
    assert len(data.train_y) + len(data.test_y) == len(raw.target) == 1797
    np.testing.assert_array_equal(data.counts("train"), [TRAIN_PER_CLASS] * 10)
    first = raw.images[0]                                # class 0, a training image
    assert data.train_y[0] == raw.target[0] == 0
    np.testing.assert_array_equal(data.train_x[0, 1, ::4, ::4], first)
    np.testing.assert_array_equal(data.train_x[0, 2, 3::4, 3::4], first)
    tasks.check_split(data, 256)
    with pytest.raises(InputError):
        tasks.check_split(data, 257)
