"""The ReLU family: LL's one-hidden-layer ReLU teacher-student experiments.

STL, MTL, PT+FT (all weights or readout only) and the ridge baselines PT+FT
(LP) and NTK on LL's ReLU teachers (D = 15, 6 auxiliary units, main units at
cosine rho with them), trained by :mod:`featreuse.nets` (SGD runs of a seed stacked
into one model). PT+FT runs are certified against LL's finetuning penalty
(:mod:`.certification`).

Modules: :mod:`.config` (experiment schema), :mod:`.tasks` (teachers and data),
:mod:`.plan` (runs, their pretraining, their stacks), :mod:`.execute` (runs
and batches), :mod:`.metrics`, :mod:`.certification`, :mod:`.weights`
(artefacts), :mod:`.figures` (colours and labels in :mod:`.style`). torch is
imported only when a run executes.
"""
import functools

from ..base import Family
from ..gen_loss import LABEL, METRIC, gen_loss
from ..variants import swept_or_fixed, variant_columns
from .config import FINETUNES, RIDGE, ReluExperimentConfig, flow_regimes, swept_keys

#: scalar columns of every main-task run
COLUMNS = ("test_mse", "train_loss", "train_mse", "epochs", "epoch_equivalents", "converged",
           "stopped_at_max", "restarts", "final_lr", "f1_norm", "group_sparse_norm", "effective_units")
#: columns of the PT+FT runs only (LL's finetuning penalty, :mod:`.certification`)
PTFT_COLUMNS = ("penalty_accuracy", "share_reused", "share_changed", "share_recruited")


class ReluFamily(Family):
    """One-hidden-layer ReLU networks trained by SGD (stacked) and ridge baselines."""

    name = "relu"
    title = ("one-hidden-layer ReLU teacher-student (LL): STL, MTL, PT+FT, PT+FT (LP), NTK; "
             "stacked SGD in torch")
    metric = METRIC
    metric_label = LABEL
    #: most runs trained as one stack
    max_batch = 64
    config_class = ReluExperimentConfig
    uses_torch = True
    config_module = ".config"
    plan_module = ".plan"
    execute_module = ".execute"
    figures_module = ".figures"

    def dtype(self, config):
        return config.network["dtype"]

    def batch_key(self, config, params):
        from .plan import batch_key
        return batch_key(config, params)

    def cost_model(self, config):
        from ...estimate import CostModel
        from . import cost
        return CostModel(epochs=functools.partial(cost.predicted_epochs, config),
                         work=functools.partial(cost.work, config),
                         key=functools.partial(cost.calibration_key, config),
                         calibrate=functools.partial(cost.calibrate, config),
                         source=cost.source(), refusal=cost.refusal(config))

    def columns(self, config):
        regimes = set(config.regimes)
        return (COLUMNS + (PTFT_COLUMNS if "ptft" in regimes else ())
                + (("alpha",) if regimes & set(RIDGE) else ())
                + (("pretrain_loss", "pretrain_converged") if regimes & set(FINETUNES) else ())
                + (("flow_time",) if flow_regimes(config) else ())
                + ("stack_size",))

    def swept_columns(self, config):
        return variant_columns(swept_keys(config), config.variants)

    def swept_values(self, config, params):
        return swept_or_fixed(self.swept_columns(config), params,
                              config.train.get(params["regime"], {}))

    def metric_values(self, df, config):
        """gen_loss = test_mse / test_mse of STL at n = 16 with the same seed and grid point."""
        return gen_loss(df, ["seed"] + swept_keys(config))


FAMILY = ReluFamily()
