"""The data of an experiment and, per seed, its main and auxiliary tasks.

Per seed a random permutation of the classes (``nets.seeding.DEEP_CLASSES``):
its first :data:`MAIN_CLASSES` classes form the main task, the others the
auxiliary task. The main task's training pool is every training image of its
two classes (CIFAR-100: 1000; digits: 256) in a random order of the seed
(``SUBSET_STREAM``); a run with n main samples takes its first n (so the sets
are nested in n). It is tested on every test image of its classes (CIFAR-100:
200). The auxiliary task is every training image of the other classes
(CIFAR-100: 49,000 of 98 classes; digits: 1024 of 8). Each task reads its own
outputs of the one head (the class ids), labels are positions among them.
"""
import numpy as np

from featreuse.nets.seeding import DEEP_CLASSES as CLASS_STREAM
from featreuse.nets.seeding import DEEP_SUBSET as SUBSET_STREAM, stream
from featreuse.nets.deep.task import DeepTask
from featreuse.errors import InputError

from .images import model_inputs

MAIN_CLASSES = 2
DIGITS = "digits"


def load_data(source, name="data"):
    """The :class:`~.images.ImageData` of ``"digits"`` or of a CIFAR-100 python folder."""
    if source == DIGITS:
        from .digits import load_digits
        return load_digits()
    from .cifar import load_cifar100
    return load_cifar100(source, name)


def check_split(data, n_max, name="n"):
    """Raise InputError unless every seed's split can give ``n_max`` main-task images.

    Needs at least ``MAIN_CLASSES + 1`` classes, a training and a test image of every
    class, and ``n_max`` at most the training images of the two smallest classes.
    """
    train, test = data.counts("train"), data.counts("test")
    where = f"data {data.source!r}"
    if data.num_classes < MAIN_CLASSES + 1:
        raise InputError(f"{where} has {data.num_classes} classes: the split needs "
                         f"{MAIN_CLASSES} main classes and at least one auxiliary class")
    if train.min() < 1 or test.min() < 1:
        bad = int(np.argmin(np.minimum(train, test)))
        raise InputError(f"{where}: class {bad} ({data.class_names[bad]!r}) has "
                         f"{train[bad]} training and {test[bad]} test images; every class "
                         "needs at least one of each")
    pool = int(np.sort(train)[:MAIN_CLASSES].sum())
    if n_max > pool:
        raise InputError(f"{name}: {n_max} main-task images requested, but the {MAIN_CLASSES} "
                         f"smallest classes of {where} have {pool} training images")


def class_split(seed, num_classes):
    """``(main classes, auxiliary classes)`` of ``seed``: tuples of class ids."""
    perm = stream(seed, CLASS_STREAM).permutation(num_classes)
    return tuple(int(c) for c in perm[:MAIN_CLASSES]), tuple(int(c) for c in perm[MAIN_CLASSES:])


def _task(x, y, classes, max_value):
    position = {c: i for i, c in enumerate(classes)}
    labels = np.array([position[int(c)] for c in y], dtype=np.int64)
    return DeepTask(X=model_inputs(x, max_value), y=labels, outputs=tuple(classes))


def main_train(data, seed, n):
    """The main task's first ``n`` training images of ``seed`` (a ``nets.deep.task.DeepTask``)."""
    main, _ = class_split(seed, data.num_classes)
    pool = np.flatnonzero(np.isin(data.train_y, main))
    pool = pool[stream(seed, SUBSET_STREAM).permutation(len(pool))]
    if n > len(pool):
        raise InputError(f"n = {n} exceeds the main task's {len(pool)} training images")
    idx = pool[:n]
    return _task(data.train_x[idx], data.train_y[idx], main, data.max_value)


def main_test(data, seed):
    """Every test image of ``seed``'s main classes."""
    main, _ = class_split(seed, data.num_classes)
    idx = np.flatnonzero(np.isin(data.test_y, main))
    return _task(data.test_x[idx], data.test_y[idx], main, data.max_value)


def aux_train(data, seed):
    """Every training image of ``seed``'s auxiliary classes, in file order."""
    _, aux = class_split(seed, data.num_classes)
    idx = np.flatnonzero(np.isin(data.train_y, aux))
    return _task(data.train_x[idx], data.train_y[idx], aux, data.max_value)


def aux_test(data, seed):
    """Every test image of ``seed``'s auxiliary classes (the pretraining's test set)."""
    _, aux = class_split(seed, data.num_classes)
    idx = np.flatnonzero(np.isin(data.test_y, aux))
    return _task(data.test_x[idx], data.test_y[idx], aux, data.max_value)
