"""The summary columns of a deep experiment: scalars and per-layer representation metrics.

The columns depend on the experiment: the layers of its models only, the metrics
against the pretrained network only with PT+FT, the auxiliary loss only with MTL.
"""
#: representation layers of each model (``representation_layers()`` of nets.deep's models)
RESNET_LAYERS = ("stem", "stage1", "stage2", "stage3", "stage4", "pool", "logits")
VIT_LAYERS = ("embed", *(f"block{i}" for i in range(1, 8)), "pool", "logits")
MODEL_LAYERS = {"resnet18": RESNET_LAYERS, "resnet18_cifar": RESNET_LAYERS, "vit": VIT_LAYERS}
#: every representation layer, in column order
LAYERS = ("stem", "stage1", "stage2", "stage3", "stage4", "embed",
          *(f"block{i}" for i in range(1, 8)), "pool", "logits")
#: per-layer metrics; summary columns are "<metric>_<layer>"
LAYER_METRICS = ("pr", "pr_pre", "overlap", "ensd")
#: the per-layer metrics measured against the pretrained network (PT+FT runs only)
REFERENCE_METRICS = ("pr_pre", "overlap", "ensd")
#: scalar columns of the runs on the main task (``aux_train_loss``: MTL runs only)
SCALARS = ("test_accuracy", "test_loss", "train_loss", "aux_train_loss", "epochs", "converged",
           "train_s", "train_images_per_s", "metrics_s", "metrics_images_per_s")


def layers_of(models):
    """The representation layers of ``models``, in :data:`LAYERS` order."""
    return tuple(layer for layer in LAYERS if any(layer in MODEL_LAYERS[m] for m in models))


def columns(config):
    """Scalar summary columns of a :class:`~.config.DeepConfig`."""
    scalars = tuple(c for c in SCALARS if c != "aux_train_loss" or "mtl" in config.regimes)
    metrics = [m for m in LAYER_METRICS if m not in REFERENCE_METRICS or "ptft" in config.regimes]
    return scalars + tuple(f"{m}_{layer}" for m in metrics for layer in layers_of(config.models))
