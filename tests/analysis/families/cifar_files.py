"""A tiny folder in the CIFAR-100 python format, written by the tests of the deep family."""
import os
import pickle

import numpy as np

NAMES = [b"apple", b"bee", b"cup", b"dog", b"elm"]


def write_cifar(folder, train_per_class=4, test_per_class=2, names=NAMES, key=bytes, seed=0):
    """A CIFAR-100-format folder (train, test, meta) of random pixels; returns its splits."""
    rng = np.random.default_rng(seed)
    os.makedirs(folder, exist_ok=True)
    k = (lambda s: s) if key is bytes else (lambda s: s.decode())
    splits = {}
    for which, per in (("train", train_per_class), ("test", test_per_class)):
        labels = np.repeat(np.arange(len(names)), per)
        rng.shuffle(labels)
        data = rng.integers(0, 256, (len(labels), 3072), dtype=np.uint8)
        table = {k(b"batch_label"): b"batch 1 of 1", k(b"fine_labels"): labels.tolist(),
                 k(b"coarse_labels"): [0] * len(labels), k(b"data"): data,
                 k(b"filenames"): [b"img%d.png" % i for i in range(len(labels))]}
        with open(os.path.join(folder, which), "wb") as f:
            pickle.dump(table, f, protocol=2)
        splits[which] = (data, labels)
    with open(os.path.join(folder, "meta"), "wb") as f:
        pickle.dump({k(b"fine_label_names"): list(names), k(b"coarse_label_names"): [b"x"]}, f,
                    protocol=2)
    return splits
