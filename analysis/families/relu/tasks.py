"""LL's ReLU teacher-student data of one run, cached per worker process.

The teachers and data sets are :mod:`featreuse.nets.relu.teacher`'s: every draw is a
function of the seed, the auxiliary task (and so the pretraining) does not
depend on the main teacher, and the main training set with n samples is the
first n rows of any larger one. torch is imported on first use only.
"""
import functools

import numpy as np

from .config import teacher_settings


@functools.lru_cache(maxsize=16)
def _teacher(seed, D, n_aux_units, n_main_units, rho, magnitude):
    from featreuse.nets import make_teacher
    return make_teacher(seed, D=D, n_main_units=n_main_units, rho=np.array(rho),
                        magnitude=magnitude, n_aux_units=n_aux_units)


def teacher_for(config, params):
    """The :class:`featreuse.nets.ReluTeacher` of a run (its seed and grid point)."""
    units, rho, magnitude = teacher_settings(config, params)
    return _teacher(params["seed"], config.network["D"], config.teacher["n_aux_units"], units,
                    tuple(rho), magnitude)


def aux_teacher_for(config, seed):
    """A teacher of ``seed`` for its auxiliary task (which does not depend on the main one)."""
    return _teacher(seed, config.network["D"], config.teacher["n_aux_units"], 1, (1.0,), 1.0)


@functools.lru_cache(maxsize=4)
def aux_data(seed, D, n_aux_units, n_aux):
    """Auxiliary training set ``(X (n_aux, D), y (n_aux,))`` of ``seed``."""
    from featreuse.nets import aux_data as draw
    return draw(seed, _teacher(seed, D, n_aux_units, 1, (1.0,), 1.0), n_aux)


def aux_data_for(config, seed):
    """The auxiliary training set of ``seed`` under ``config``'s sizes."""
    return aux_data(seed, config.network["D"], config.teacher["n_aux_units"],
                    config.teacher["n_aux"])


@functools.lru_cache(maxsize=2)
def held_out_inputs(seed, D, n_test):
    """Held-out (test) inputs ``(n_test, D)`` of ``seed``."""
    from featreuse.nets import held_out_inputs as draw
    return draw(seed, D, n_test)


def held_out_inputs_for(config, seed):
    """The held-out (test) inputs of ``seed`` under ``config``'s sizes."""
    return held_out_inputs(seed, config.network["D"], config.teacher["n_test"])


def main_data_of(teacher, seed, n):
    """Main training set ``(X (n, D), y (n,))`` of ``teacher`` and ``seed`` (prefix-nested in n).

    :func:`featreuse.nets.main_data` (``main_data(seed, teacher=, n=)``) drawn for this family.
    """
    from featreuse.nets import main_data as draw
    return draw(seed, teacher=teacher, n=n)
