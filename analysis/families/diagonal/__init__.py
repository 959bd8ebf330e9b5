"""The diagonal linear network family (LL section 3): STL, MTL, PT+FT and linear probes.

Modules: :mod:`.config` (experiment schema), :mod:`.tasks` (LL's teacher and
data), :mod:`.plan` (runs and their pretraining), :mod:`.execute` (one run),
:mod:`.figures` (gen. loss vs n; colours and labels in :mod:`.style`),
:mod:`.certification` (trained network vs convex program, through
:mod:`featreuse.solvers.certify`), :mod:`.penalty_figures` and
:mod:`.certify_figure` (theory figures), :mod:`.demo` (``featreuse demo``).
"""
from ..base import Family
from ..gen_loss import LABEL, METRIC, gen_loss
from ..variants import swept_or_fixed, variant_columns
from . import demo
from .config import DiagonalConfig


class DiagonalFamily(Family):
    """Diagonal linear networks trained by the exact flow or LL's gradient descent."""

    name = "diagonal"
    title = "diagonal linear networks (LL): STL, MTL, PT+FT, linear probes; exact flows"
    metric = METRIC
    metric_label = LABEL
    commands = {"demo": demo}
    config_class = DiagonalConfig
    config_module = ".config"
    plan_module = ".plan"
    execute_module = ".execute"
    figures_module = ".figures"

    def warm_up(self, config, runs):
        from .execute import warm_up
        warm_up(config, runs)

    def columns(self, config):
        # the distance to the convex program only when the experiment certifies
        return ("test_mse", "train_loss", "steps") + (("certificate",) if config.certify else ())

    def swept_columns(self, config):
        return variant_columns(list(config.grid), config.variants)

    def swept_values(self, config, params):
        return swept_or_fixed(self.swept_columns(config), params,
                              config.train.get(params["regime"], {}))

    def metric_values(self, df, config):
        """gen_loss = test_mse / test_mse of STL at n = 16 with the same seed and grid point."""
        return gen_loss(df, ["seed"] + list(config.grid))

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
