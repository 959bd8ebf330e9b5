"""The CHS family: multi-task representation learning by a two-layer ReLU network.

Collins, Hassani, Soltanolkotabi, Mokhtari & Shakkottai, ICML 2024
(arXiv 2307.06887): binary tasks that see the input through an r-dimensional
subspace col(M); a shared first layer W trained by alternating head and
shared-layer steps; how much of W lies in and spans col(M), and how well a
linear probe on ReLU(W x) learns an unseen task. The data model and algorithm
are a reconstruction (docs/chs.md).

Modules: :mod:`.config` (experiment schema), :mod:`.plan` (pretraining and
probe runs), :mod:`.execute` (one run), :mod:`.figures` (the list of figures),
:mod:`.tasks_figure`, :mod:`.threshold_figure` and :mod:`.probe_figure` (colours
and labels in :mod:`.style`), :mod:`.threshold` (the task count T from which W
spans col(M)). The networks, metrics and probe are ``nets.chs.*``; torch is
imported only when a run executes.
"""
from ..base import Family
from .config import ChsConfig, extra_keys


class ChsFamily(Family):
    """CHS's alternating multi-task algorithm: subspace recovery and downstream probes."""

    name = "chs"
    title = ("two-layer ReLU multi-task representation learning (CHS): subspace energy, "
             "coverage, angle and downstream linear probes")
    metric = "probe_error"
    metric_label = ("probe test error (1 - accuracy of a logistic-regression probe on "
                    "ReLU(W x), unseen task)")
    config_class = ChsConfig
    uses_torch = True
    config_module = ".config"
    plan_module = ".plan"
    execute_module = ".execute"
    figures_module = ".figures"

    def columns(self, config):
        # the untrained W (random) has no training loss
        trained = ("train_loss",) if set(config.regimes) - {"random"} else ()
        return ("probe_accuracy", "probe_train_accuracy", "energy", "coverage",
                "angle_deg") + trained

    def swept_columns(self, config):
        # every run has a dimension and a task count (stl: 1, random: 0), swept or not; r and
        # samples when swept (samples is NaN for random: its W is not trained)
        return ["d", "tasks"] + extra_keys(config)

    def metric_values(self, df, config):
        """probe_error = 1 - probe_accuracy (test accuracy on the unseen task)."""
        return 1.0 - df["probe_accuracy"].to_numpy(dtype=float)


FAMILY = ChsFamily()
