"""Tasks of the alignment ablation: binary labellings of scikit-learn's bundled digits.

**Images.** ``sklearn.datasets.load_digits``: 1797 grey 8 x 8 images (64 pixels,
values 0..16, about 180 of each digit), read from the package (no network).
Per seed the images are split once: the first ``n_test`` of a random order are the
test set of every task, the others the training pool. Pixels are centred on the
pool's mean image and divided by the pool's pixel standard deviation (one number),
so that every task's inputs have mean about 0 and CovSim (WZR's eq. 5, which does not
centre) compares covariances rather than mean images.

**Tasks** (:data:`TASKS`): label +1 for the digits of a set, -1 otherwise; every task
is defined on all ten digits, so the tasks differ in their labels and, through
their embeddings, in how they see the images, not in which images exist.

**Embeddings.** Task i reads the images through its own fixed map ``E_i`` (64, d):
``"gaussian"`` draws every task its own matrix with N(0, 1/64) entries (a different
random linear view of the same pixels, so the tasks' input covariances differ);
``"shared"`` gives every task the first task's matrix (a control: nothing to align).

**Training rows.** Each task has its own random order of the pool; a task trained on
m samples takes the first m of its order (a smaller sample is a prefix of a larger
one), so a source and a target may share images but see them through different
embeddings.

**Randomness.** Everything above comes from stream ``WZR_PARAMS`` of the seed
(:func:`featreuse.nets.seeding.stream`), drawn in a fixed order: the split, then
for every task of :data:`TASKS` in table order its embedding and its row order. A
task's embedding and rows are therefore the same in every pair of one seed.
"""
import functools
from dataclasses import dataclass

import numpy as np

from featreuse.errors import InputError
from featreuse.nets.seeding import WZR_PARAMS as PARAMS_STREAM
from featreuse.nets.seeding import stream

#: task name -> the digits labelled +1
TASKS = {"parity": (0, 2, 4, 6, 8), "big": (5, 6, 7, 8, 9), "loop": (0, 6, 8, 9),
         "prime": (2, 3, 5, 7), "mod3": (0, 3, 6, 9), "straight": (1, 4, 7)}
#: images in scikit-learn's digits (checked when they are read)
N_IMAGES = 1797
#: how the tasks' embeddings are drawn (module docstring)
EMBEDDINGS = ("gaussian", "shared")


@functools.lru_cache(maxsize=1)
def digits():
    """The bundled digits: pixels (1797, 64) in [0, 1] and digit labels (1797,)."""
    from sklearn.datasets import load_digits
    data = load_digits()
    if data.data.shape != (N_IMAGES, 64):
        raise InputError(f"scikit-learn's digits have shape {data.data.shape}, expected "
                         f"({N_IMAGES}, 64)")
    return data.data / 16.0, data.target.astype(int)


def labels(task, digit_labels):
    """+1 / -1 labels (n,) of ``task`` (a :data:`TASKS` name) for digit labels (n,)."""
    if task not in TASKS:
        raise InputError(f"task must be one of {list(TASKS)}, got {task!r}")
    return np.where(np.isin(digit_labels, TASKS[task]), 1.0, -1.0)


@dataclass(frozen=True)
class DigitTasks:
    """The data of one seed.

    Attributes
    ----------
    X : ndarray (1797, 64)
        Standardised images (module docstring).
    digit : ndarray (1797,)
        Digit of every image.
    test : ndarray of int (n_test,)
        Rows of the test set.
    orders : dict task -> ndarray of int
        Each task's order of the training pool (rows of X).
    embeddings : dict task -> ndarray (64, d)
    """

    X: np.ndarray
    digit: np.ndarray
    test: np.ndarray
    orders: dict
    embeddings: dict

    def train(self, task, n):
        """Task ``task``'s first ``n`` training samples: inputs (n, 64) and labels (n,)."""
        order = self.orders[task]
        if n > len(order):
            raise InputError(f"{n} training samples asked for task {task!r}, but the pool has "
                             f"{len(order)} images")
        rows = order[:n]
        return self.X[rows], labels(task, self.digit[rows])

    def test_set(self, task):
        """The test inputs (n_test, 64) and ``task``'s labels (n_test,)."""
        return self.X[self.test], labels(task, self.digit[self.test])


@functools.lru_cache(maxsize=4)
def digit_tasks(seed, n_test, d, embedding):
    """The :class:`DigitTasks` of a seed (cached per process).

    Parameters
    ----------
    seed : int >= 0
    n_test : int
        Test images (the rest form the training pool).
    d : int
        Columns of every embedding.
    embedding : {"gaussian", "shared"}
    """
    if embedding not in EMBEDDINGS:
        raise InputError(f"embedding must be one of {list(EMBEDDINGS)}, got {embedding!r}")
    pixels, digit = digits()
    if not 0 < n_test < len(pixels):
        raise InputError(f"n_test must be in [1, {len(pixels) - 1}], got {n_test}")
    rng = stream(seed, PARAMS_STREAM)
    order = rng.permutation(len(pixels))
    test, pool = np.sort(order[:n_test]), order[n_test:]
    mean = pixels[pool].mean(axis=0)
    X = (pixels - mean) / (pixels[pool] - mean).std()
    orders, embeddings = {}, {}
    for task in TASKS:
        embeddings[task] = rng.standard_normal((X.shape[1], d)) / np.sqrt(X.shape[1])
        orders[task] = rng.permutation(pool)
    if embedding == "shared":
        first = embeddings[next(iter(TASKS))]
        embeddings = {task: first for task in TASKS}
    return DigitTasks(X=X, digit=digit, test=test, orders=orders, embeddings=embeddings)
