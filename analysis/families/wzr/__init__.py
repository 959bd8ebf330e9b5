"""The WZR family: shared-module multi-task models (Wu, Zhang & Re, ICLR 2020).

Task i predicts ``g(X_i B) A_i`` with a shared module B (D, r) and its own head
``A_i``. Five studies, one per ``kind`` of experiment file (docs/wzr.md):
:mod:`.capacity` (Prop. 1), :mod:`.covariance` (Fig. 3), :mod:`.reweight`
(Algorithm 2), :mod:`.align` (Algorithm 1) and :mod:`.ablation` (Algorithm 1 with a
nonlinear module on digit tasks, :mod:`.ablation_data`). Modules: :mod:`.config` (schema),
:mod:`.data` (synthetic tasks), :mod:`.risk` (exact test errors), :mod:`.records`
(summary columns), :mod:`.figures` (colours and labels in :mod:`.style`);
:mod:`.studies` plans and executes a run of any kind.
"""
from ..base import Family
from . import records
from .config import WzrConfig


class WzrFamily(Family):
    """Shared-module models: closed forms, ALS, torch training and covariance alignment."""

    name = "wzr"
    title = ("shared-module MTL (WZR): capacity, covariance alignment, SVD task reweighting; "
             "closed forms, ALS, torch")
    metric = records.METRIC
    metric_label = "target rel. test MSE (excess test MSE / test MSE of predicting 0)"
    config_class = WzrConfig
    uses_torch = True
    config_module = ".config"
    plan_module = ".studies"
    execute_module = ".studies"
    figures_module = ".figures"

    def config_from_dict(self, data):
        if "tasks" in data:  # a file written before [tasks] was renamed [data]
            data = {("data" if k == "tasks" else k): v for k, v in data.items()}
        return super().config_from_dict(data)

    def columns(self, config):
        return records.columns(config)

    def swept_columns(self, config):
        return list(config.grid) + [c for c in records.EXTRA_SWEPT.get(config.kind, ())
                                    if c not in config.grid]

    def metric_values(self, df, config):
        """rel_mse = the target's excess test MSE / its test MSE of predicting 0."""
        return (df["test_mse"] / df["null_mse"]).to_numpy(dtype=float)


FAMILY = WzrFamily()
