"""The deep family: LL's weight rescaling before finetuning deep networks on image classification.

Per seed a random 2-class main task and the remaining classes as the
auxiliary task (CIFAR-100 or the built-in digits); a ResNet-18 (two stems) or
a small ViT trained as a single task (STL), jointly with the auxiliary task
(MTL), or pretrained on the auxiliary task and finetuned with every parameter
multiplied by s (PT+FT); test accuracy and per-layer participation ratio,
overlap and ENSD of the finetuned representation (docs/deep.md).

Modules: :mod:`.config` (schema), :mod:`.images`, :mod:`.digits`,
:mod:`.cifar` (data), :mod:`.tasks` (per-seed split), :mod:`.plan`,
:mod:`.execute`, :mod:`.weights` (artefacts), :mod:`.figures`,
:mod:`.accuracy_figure`, :mod:`.layers_figure`. ``featreuse run NAME --data PATH``
chooses the data (a CIFAR-100 folder or ``digits``). The networks, training loop and metrics
are ``nets.resnet``, ``nets.vit`` and ``nets.deep_*``; torch is imported only
when a config is checked or a run executes.
"""
import numpy as np

from ..base import Family
from . import config as _config
from . import plan

#: scalar summary columns besides the per-layer ones
SCALARS = ("test_accuracy", "test_loss", "train_loss", "aux_train_loss", "epochs", "converged",
           "train_s", "train_images_per_s", "metrics_s", "metrics_images_per_s")


def _layer_columns():
    from .execute import layer_columns
    return layer_columns()


class DeepFamily(Family):
    """ResNet-18 and ViT on 2-class image tasks: STL, MTL and PT+FT with weight rescaling."""

    name = "deep"
    title = ("deep networks (LL): ResNet-18 / ViT, STL, MTL and PT+FT with all weights "
             "rescaled by s; test accuracy and per-layer PR / ENSD")
    metric = "test_error"
    metric_label = "test error (1 - accuracy on the main 2-class task's test images)"
    columns = SCALARS + _layer_columns()
    config_class = _config.DeepConfig
    uses_torch = True

    def dtype(self, config):
        return "float32"

    def parse_config(self, table, *, name, description, quick, seeds):
        return _config.parse_config(table, name=name, description=description, quick=quick,
                                    seeds=seeds)

    def plan(self, config):
        return plan.plan(config)

    def execute(self, config, params, inputs, device):
        from .execute import execute
        return execute(config, params, inputs, device)

    def swept_columns(self, config):
        return ["model", "rescale"]

    def swept_values(self, config, params):
        # STL and MTL have no rescaling factor
        return {"model": params["model"], "rescale": params.get("rescale", np.nan)}

    def metric_values(self, df, config):
        """test_error = 1 - test_accuracy."""
        return 1.0 - df["test_accuracy"].to_numpy(dtype=float)

    def figures(self, df, config):
        from .figures import figures
        return figures(df, config)


FAMILY = DeepFamily()
