"""The deep networks by name, their seeded initialisation and the rescaling before finetuning.

``resnet18``        ResNet-18 with LL's (torchvision's ImageNet) stem (:mod:`.resnet`);
``resnet18_cifar``  ResNet-18 with the CIFAR stem (one 3 x 3 stride-1 convolution);
``vit``             LL's small ViT (:mod:`.vit`).

:func:`init_seed` is the torch seed a run's networks start from (the ``DEEP_INIT`` stream).

Every model exposes ``readout`` (its head), ``rescaled_tensors()`` (what
:func:`rescale_` multiplies), ``representation_layers()`` (what the metrics
hook) and ``memory_format`` (what pays on CUDA).
"""
import torch

from featreuse.errors import InputError, InputTypeError
from ..seeding import DEEP_INIT, stream
from .resnet import ResNet, ResNetConfig
from featreuse.validation import check_scalar

MODELS = ("resnet18", "resnet18_cifar", "vit")


def model_kind(name):
    """``"resnet"`` or ``"vit"``: which optimiser defaults a model takes."""
    check_model_name(name)
    return "vit" if name == "vit" else "resnet"


def check_model_name(name):
    """Return ``name`` if it is in :data:`MODELS`; InputError (listing them) otherwise."""
    if not isinstance(name, str) or name not in MODELS:
        raise InputError(f"model: unknown model {name!r} (known: {', '.join(MODELS)})")
    return name


def model_config(name, num_classes, width=1.0):
    """The config dataclass of model ``name`` (ResNetConfig or ViTConfig)."""
    check_model_name(name)
    if name == "vit":
        from .vit import ViTConfig
        return ViTConfig(num_classes=num_classes, width=width)
    return ResNetConfig(num_classes=num_classes, width=width,
                        stem="cifar" if name == "resnet18_cifar" else "imagenet")


def init_seed(seed):
    """The torch seed of the initialisation of ``seed``'s networks (an int < 2**63).

    Drawn from the ``DEEP_INIT`` stream of ``seed`` (:mod:`featreuse.nets.seeding`).
    """
    return int(stream(seed, DEEP_INIT).integers(2 ** 63))


def build_model(name, num_classes, width=1.0, seed=0):
    """A freshly initialised network; the same ``(name, num_classes, width, seed)`` gives the
    same weights, and the global torch random state is left as it was.

    Parameters
    ----------
    name : str
        One of :data:`MODELS`.
    num_classes : int >= 1
        Outputs of the one head.
    width : float > 0
        Width multiplier (1: LL's sizes).
    seed : int >= 0
        Seeds ``torch.manual_seed`` for the initialisation.

    Returns
    -------
    torch.nn.Module
        On the CPU, float32, in train mode.
    """
    config = model_config(name, num_classes, width)
    seed = check_scalar(seed, "seed", low=0, low_inclusive=True, integer=True)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        if name == "vit":
            from .vit import ViT
            return ViT(config)
        return ResNet(config)


def count_parameters(model):
    """Number of trainable numbers: the sum of ``p.numel()`` over ``model.parameters()``."""
    return sum(p.numel() for p in model.parameters())


@torch.no_grad()
def rescale_(model, s):
    """Multiply every tensor of ``model.rescaled_tensors()`` by ``s`` in place; return ``model``.

    Buffers (BatchNorm running means and variances, batch counters) are left untouched.

    Raises
    ------
    InputTypeError
        ``model`` does not say which tensors are rescaled.
    InputError
        ``s`` is not a finite number > 0.
    """
    s = check_scalar(s, "s", low=0)
    if not hasattr(model, "rescaled_tensors"):
        raise InputTypeError(f"model must be one of nets.deep.models.MODELS, "
                             f"got {type(model).__name__}")
    for tensor in model.rescaled_tensors():
        tensor.mul_(s)
    return model
