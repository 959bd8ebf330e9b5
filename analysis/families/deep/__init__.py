"""The deep family: LL's weight rescaling before finetuning deep networks on image classification.

Per seed a random 2-class main task and the remaining classes as the
auxiliary task (CIFAR-100 or the built-in digits); a ResNet-18 (two stems) or
a small ViT trained as a single task (STL), jointly with the auxiliary task
(MTL), or pretrained on the auxiliary task and finetuned with every parameter
multiplied by s (PT+FT); test accuracy and per-layer participation ratio,
overlap and ENSD of the finetuned representation (docs/deep.md).

Modules: :mod:`.config` (schema), :mod:`.images`, :mod:`.digits`,
:mod:`.cifar` (data), :mod:`.tasks` (per-seed split), :mod:`.plan`,
:mod:`.execute`, :mod:`.records` (summary columns), :mod:`.weights` (artefacts),
:mod:`.figures` (the list of figures), :mod:`.accuracy_figure`, :mod:`.layers_figure`
(colours and labels in :mod:`.style`). ``featreuse run NAME --data PATH``
chooses the data (a CIFAR-100 folder or ``digits``). The networks, training loop and metrics
are ``nets.deep.*`` (``resnet``, ``vit``, ``models``, ``train``, ...); torch is imported only
when a config is checked or a run executes.
"""
import numpy as np

from ..base import Family
from . import records
from .config import DeepConfig


class DeepFamily(Family):
    """ResNet-18 and ViT on 2-class image tasks: STL, MTL and PT+FT with weight rescaling."""

    name = "deep"
    title = ("deep networks (LL): ResNet-18 / ViT, STL, MTL and PT+FT with all weights "
             "rescaled by s; test accuracy and per-layer PR / ENSD")
    metric = "test_error"
    metric_label = "test error (1 - accuracy on the main 2-class task's test images)"
    config_class = DeepConfig
    uses_torch = True
    config_module = ".config"
    plan_module = ".plan"
    execute_module = ".execute"
    figures_module = ".figures"

    def dtype(self, config):
        return "float32"

    def columns(self, config):
        return records.columns(config)

    def swept_columns(self, config):
        # STL and MTL have no rescaling factor
        return ["model"] + (["rescale"] if "ptft" in config.regimes else [])

    def swept_values(self, config, params):
        return {c: params.get(c, np.nan) for c in self.swept_columns(config)}

    def metric_values(self, df, config):
        """test_error = 1 - test_accuracy."""
        return 1.0 - df["test_accuracy"].to_numpy(dtype=float)


FAMILY = DeepFamily()
