"""Experiment schema of the deep family: the config dataclass and its validation.

Keys of a deep experiment file (besides ``family``, ``description``, ``seeds``
and ``[quick]``; docs/deep.md has the full example):

``data``       ``"digits"`` (built in) or the path of an extracted ``cifar-100-python`` folder;
``models``     among ``resnet18`` (LL's stem), ``resnet18_cifar``, ``vit`` (:data:`MODELS`);
``regimes``    among ``stl``, ``mtl``, ``ptft`` (:data:`REGIMES`);
``n``          main-task training images with the digits;
``cifar_n``    the same with a CIFAR-100 folder (default: ``n``);
``rescale``    the factors s of PT+FT;
``width``      width multiplier of every model (1: LL's sizes);
``[train]``    ``tol``, ``max_epochs``, ``pretrain_max_epochs``, ``batch_size``;
``[metrics]``  ``center`` (false: LL), ``mode`` (``"train"``: LL, or ``"eval"``)
               (each key's default and check: :data:`TRAIN`, :data:`METRICS`).

The data are read and checked here, before any run: a missing or malformed
folder, or an ``n`` larger than a main task's training pool, raises InputError.
"""
import os
from dataclasses import dataclass

from featreuse.errors import InputError, InputTypeError

from ..base import ExperimentConfig
from ..checks import (check_bool, check_choices, check_int_list, check_keys, check_number,
                      check_section, defaults_of, integer, number, one_of)

#: nets.deep.models.MODELS (a test keeps them equal)
MODELS = ("resnet18", "resnet18_cifar", "vit")
REGIMES = ("stl", "mtl", "ptft")
TOP_KEYS = ("data", "models", "regimes", "n", "cifar_n", "rescale", "width", "train", "metrics")
METRIC_MODES = ("train", "eval")
#: [train]: key -> (default, check)
TRAIN = {"tol": (0.01, number(as_float=True)), "max_epochs": (1000, integer(1)),
         "pretrain_max_epochs": (1000, integer(1)), "batch_size": (128, integer(1))}
#: [metrics]: key -> (default, check)
METRICS = {"center": (False, check_bool), "mode": ("train", one_of(METRIC_MODES))}
TRAIN_DEFAULTS = defaults_of(TRAIN)
METRICS_DEFAULTS = defaults_of(METRICS)


@dataclass
class DeepConfig(ExperimentConfig):
    """A validated deep experiment.

    Attributes
    ----------
    data : str
        ``"digits"`` or an absolute path to a CIFAR-100 python folder.
    models, regimes : list of str
    n, cifar_n : list of int
        Main-task training images with the digits / with CIFAR-100 (:func:`n_values`).
    rescale : list of float
        PT+FT factors s.
    width : float
        Width multiplier of every model.
    train : dict
        Every key of :data:`TRAIN_DEFAULTS`.
    metrics : dict
        Every key of :data:`METRICS_DEFAULTS`.
    """

    data: str
    models: list
    regimes: list
    n: list
    cifar_n: list
    rescale: list
    width: float
    train: dict
    metrics: dict


def n_values(config):
    """Main-task sizes of the experiment's data: ``n`` (digits) or ``cifar_n`` (a folder)."""
    return config.n if config.data == "digits" else config.cifar_n


def _check_rescale(values, where):
    if not isinstance(values, list) or not values:
        raise InputError(f"{where}: rescale must be a non-empty list of numbers, got {values!r}")
    out = [float(check_number(v, f"{where}: rescale entries")) for v in values]
    if len(set(out)) != len(out):
        raise InputError(f"{where}: rescale has repeated values: {values}")
    return out


def _check_train(train, where):
    out = check_section(train, TRAIN, where, "train")
    if out["batch_size"] < 2:
        raise InputError(f"{where}: train.batch_size must be >= 2 (BatchNorm needs two images "
                         f"per batch), got {out['batch_size']}")
    return out


def _check_width(config, where, num_classes):
    """Each model can be built at the config's width (its config is made, no weights)."""
    from featreuse.nets.deep.models import model_config
    for name in config.models:
        try:
            model_config(name, num_classes, config.width)
        except ValueError as exc:
            raise InputError(f"{where}: width = {config.width:g} for model {name!r}: "
                             f"{exc}") from None


def check_data(config, name=None):
    """Read the config's data and check that every seed's split fits (InputError otherwise).

    Returns the :class:`~.images.ImageData`.
    """
    from .tasks import check_split, load_data
    label = name or f"experiment {config.name!r}: data"
    data = load_data(config.data, label)
    check_split(data, max(n_values(config)),
                name=f"experiment {config.name!r}: {'n' if config.data == 'digits' else 'cifar_n'}")
    return data


def parse_config(table, *, name, description, quick, seeds):
    """Validate a deep experiment table (see the module docstring); a :class:`DeepConfig`.

    The data are read and checked too (:func:`check_data`); a relative data path is taken
    from the current folder and stored absolute.
    """
    where = f"experiment {name!r}"
    check_keys(table, TOP_KEYS, where)
    data = table.get("data", "digits")
    if not isinstance(data, str) or not data:
        raise InputTypeError(f"{where}: data must be 'digits' or a folder path, got {data!r}")
    n = check_int_list(table.get("n"), f"{where}: n", low=2)
    cifar_n = check_int_list(table.get("cifar_n", n), f"{where}: cifar_n", low=2)
    regimes = check_choices(table.get("regimes"), REGIMES, f"{where}: regimes")
    rescale = _check_rescale(table.get("rescale", [1.0]), where)
    config = DeepConfig(
        name=name, family="deep", description=description, quick=quick, seeds=seeds,
        data=data if data == "digits" else os.path.abspath(data),
        models=check_choices(table.get("models"), MODELS, f"{where}: models"),
        regimes=regimes, n=n, cifar_n=cifar_n, rescale=rescale,
        width=float(check_number(table.get("width", 1.0), f"{where}: width")),
        train=_check_train(table.get("train", {}), where),
        metrics=check_section(table.get("metrics", {}), METRICS, where, "metrics"))
    _check_width(config, where, check_data(config).num_classes)
    return config
