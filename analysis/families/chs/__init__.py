"""The CHS family: multi-task representation learning by a two-layer ReLU network.

Collins, Hassani, Soltanolkotabi, Mokhtari & Shakkottai, ICML 2024
(arXiv 2307.06887): binary tasks that see the input through an r-dimensional
subspace col(M); a shared first layer W trained by alternating head and
shared-layer steps; how much of W lies in and spans col(M), and how well a
linear probe on ReLU(W x) learns an unseen task. The data model and algorithm
are a reconstruction (docs/chs.md).

Modules: :mod:`.config` (experiment schema), :mod:`.plan` (pretraining and
probe runs), :mod:`.execute` (one run), :mod:`.figures`, :mod:`.tasks_figure`
and :mod:`.probe_figure`. The networks, metrics and probe are
``nets.chs_*``; torch is imported only when a run executes.
"""
from ..base import Family
from . import config as _config
from . import execute, plan


class ChsFamily(Family):
    """CHS's alternating multi-task algorithm: subspace recovery and downstream probes."""

    name = "chs"
    title = ("two-layer ReLU multi-task representation learning (CHS): subspace energy, "
             "coverage, angle and downstream linear probes")
    metric = "probe_error"
    metric_label = ("probe test error (1 - accuracy of a logistic-regression probe on "
                    "ReLU(W x), unseen task)")
    columns = ("probe_accuracy", "probe_train_accuracy", "energy", "coverage", "angle_deg",
               "train_loss")
    config_class = _config.ChsConfig
    uses_torch = True

    def parse_config(self, table, *, name, description, quick, seeds):
        return _config.parse_config(table, name=name, description=description, quick=quick,
                                    seeds=seeds)

    def plan(self, config):
        return plan.plan(config)

    def execute(self, config, params, inputs, device):
        return execute.execute(config, params, inputs, device)

    def swept_columns(self, config):
        # every run has a dimension and a task count (stl: 1, random: 0), swept or not
        return ["d", "tasks"]

    def metric_values(self, df, config):
        """probe_error = 1 - probe_accuracy (test accuracy on the unseen task)."""
        return 1.0 - df["probe_accuracy"].to_numpy(dtype=float)

    def figures(self, df, config):
        from .figures import figures
        return figures(df, config)


FAMILY = ChsFamily()
