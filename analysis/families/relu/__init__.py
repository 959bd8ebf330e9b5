"""The ReLU family: LL's one-hidden-layer ReLU teacher-student experiments.

STL, MTL, PT+FT (all weights or readout only) and the ridge baselines PT+FT
(LP) and NTK on LL's ReLU teachers (D = 15, 6 auxiliary units, main units at
cosine rho with them), trained by :mod:`featreuse.nets` (SGD runs of a seed stacked
into one model). PT+FT runs are certified against LL's finetuning penalty
(:mod:`.certification`).

Modules: :mod:`.config` (experiment schema), :mod:`.tasks` (teachers and data),
:mod:`.plan` (runs, their pretraining, their stacks), :mod:`.execute` (runs
and batches), :mod:`.metrics`, :mod:`.certification`, :mod:`.weights`
(artefacts), :mod:`.figures`. torch is imported only when a run executes.
"""
from ..base import Family
from ..gen_loss import gen_loss
from ..variants import swept_or_fixed
from . import config as _config
from . import plan


class ReluFamily(Family):
    """One-hidden-layer ReLU networks trained by SGD (stacked) and ridge baselines."""

    name = "relu"
    title = ("one-hidden-layer ReLU teacher-student (LL): STL, MTL, PT+FT, PT+FT (LP), NTK; "
             "stacked SGD in torch")
    metric = "gen_loss"
    metric_label = "gen. loss (test MSE / STL's at n = 16)"
    columns = ("test_mse", "train_loss", "train_mse", "epochs", "converged", "stopped_at_max",
               "restarts", "final_lr", "f1_norm", "group_sparse_norm", "effective_units",
               "penalty_accuracy", "share_reused", "share_changed", "share_recruited", "alpha",
               "pretrain_loss", "pretrain_converged", "stack_size")
    #: most runs trained as one stack
    max_batch = 64
    config_class = _config.ReluExperimentConfig
    uses_torch = True

    def dtype(self, config):
        return config.network["dtype"]

    def parse_config(self, table, *, name, description, quick, seeds):
        return _config.parse_config(table, name=name, description=description, quick=quick,
                                    seeds=seeds)

    def plan(self, config):
        return plan.plan(config)

    def batch_key(self, config, params):
        return plan.batch_key(config, params)

    def execute(self, config, params, inputs, device):
        from .execute import execute
        return execute(config, params, inputs, device)

    def execute_batch(self, config, params_list, inputs_list, device):
        from .execute import execute_batch
        return execute_batch(config, params_list, inputs_list, device)

    def swept_columns(self, config):
        cols = _config.swept_keys(config)
        for table in config.variants.values():
            cols += [k for k in table if k not in cols]
        return cols

    def swept_values(self, config, params):
        return swept_or_fixed(self.swept_columns(config), params,
                              config.train.get(params["regime"], {}))

    def metric_values(self, df, config):
        """gen_loss = test_mse / test_mse of STL at n = 16 with the same seed and grid point."""
        return gen_loss(df, ["seed"] + _config.swept_keys(config))

    def figures(self, df, config):
        from .figures import figures
        return figures(df, config)


FAMILY = ReluFamily()
