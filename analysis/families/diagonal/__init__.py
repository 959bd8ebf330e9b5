"""The diagonal linear network family (LL section 3): STL, MTL, PT+FT and linear probes.

Modules: :mod:`.config` (experiment schema), :mod:`.tasks` (LL's teacher and
data), :mod:`.plan` (runs and their pretraining), :mod:`.execute` (one run),
:mod:`.figures` (gen. loss vs n), :mod:`.certification` (trained network vs
convex program, through :mod:`featreuse.solvers.certify`), :mod:`.penalty_figures`
and :mod:`.certify_figure` (theory figures), :mod:`.demo` (``featreuse demo``).
"""
from ..base import Family
from ..gen_loss import gen_loss
from ..variants import swept_or_fixed
from . import config as _config
from . import demo, execute, plan


class DiagonalFamily(Family):
    """Diagonal linear networks trained by the exact flow or LL's gradient descent."""

    name = "diagonal"
    title = "diagonal linear networks (LL): STL, MTL, PT+FT, linear probes; exact flows"
    metric = "gen_loss"
    metric_label = "gen. loss (test MSE / STL's at n = 16)"
    columns = ("test_mse", "train_loss", "steps", "certificate")
    commands = {"demo": demo}
    config_class = _config.DiagonalConfig

    def parse_config(self, table, *, name, description, quick, seeds):
        return _config.parse_config(table, name=name, description=description, quick=quick,
                                    seeds=seeds)

    def plan(self, config):
        return plan.plan(config)

    def warm_up(self, config, runs):
        execute.warm_up(config, runs)

    def execute(self, config, params, inputs, device):
        return execute.execute(config, params, inputs, device)

    def swept_columns(self, config):
        cols = list(config.grid)
        for table in config.variants.values():
            cols += [k for k in table if k not in cols]
        return cols

    def swept_values(self, config, params):
        return swept_or_fixed(self.swept_columns(config), params,
                              config.train.get(params["regime"], {}))

    def metric_values(self, df, config):
        """gen_loss = test_mse / test_mse of STL at n = 16 with the same seed and grid point."""
        return gen_loss(df, ["seed"] + list(config.grid))

    def figures(self, df, config):
        from .figures import figure
        return [("", figure(df, config, self.metric))]

    def certification_cases(self, quick):
        from .certification import certification_cases
        return certification_cases(quick=quick)

    def certification_figures(self, rows, out_dir):
        from .certify_figure import plot_distance_vs_alpha
        return plot_distance_vs_alpha(rows, out_dir)

    def theory_figures(self, out_dir):
        from .penalty_figures import penalty_figures
        return penalty_figures(out_dir)


FAMILY = DiagonalFamily()
