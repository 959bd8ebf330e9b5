"""The WZR family: shared-module multi-task models (Wu, Zhang & Re, ICLR 2020).

Task i predicts ``g(X_i B) A_i`` with a shared module B (D, r) and its own head
``A_i``. Four studies, one per ``kind`` of experiment file (docs/wzr.md):
:mod:`.capacity` (Prop. 1), :mod:`.covariance` (Thm 2, Fig. 3), :mod:`.reweight`
(Algorithm 2) and :mod:`.align` (Algorithm 1). Modules: :mod:`.config` (schema),
:mod:`.data` (synthetic tasks), :mod:`.risk` (exact test errors), :mod:`.records`
(summary columns), :mod:`.figures`.
"""
from ..base import Family
from . import align, capacity, covariance, reweight
from .config import WzrConfig, parse_config
from .records import COLUMNS

#: kind -> the module that plans and executes its runs
STUDIES = {"capacity": capacity, "covariance": covariance, "reweight": reweight, "align": align}


class WzrFamily(Family):
    """Shared-module models: closed forms, ALS, torch training and covariance alignment."""

    name = "wzr"
    title = ("shared-module MTL (WZR): capacity, covariance alignment, SVD task reweighting; "
             "closed forms, ALS, torch")
    metric = "rel_mse"
    metric_label = "target rel. test MSE (excess test MSE / test MSE of predicting 0)"
    columns = COLUMNS
    config_class = WzrConfig
    uses_torch = True

    def parse_config(self, table, *, name, description, quick, seeds):
        return parse_config(table, name=name, description=description, quick=quick, seeds=seeds)

    def plan(self, config):
        return STUDIES[config.kind].plan(config)

    def execute(self, config, params, inputs, device):
        return STUDIES[config.kind].execute(config, params, inputs, device)

    def swept_columns(self, config):
        return list(config.grid)

    def metric_values(self, df, config):
        """rel_mse = the target's excess test MSE / its test MSE of predicting 0."""
        return (df["test_mse"] / df["null_mse"]).to_numpy(dtype=float)

    def figures(self, df, config):
        from .figures import figure
        return [("", figure(df, config, self.metric))]


FAMILY = WzrFamily()
