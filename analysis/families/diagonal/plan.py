"""The runs of a diagonal experiment and which runs need which.

Order: seed, then (when some regime finetunes) that seed's auxiliary-task
pretraining, then grid point, the STL n = 16 baseline of the gen. loss, regime,
variant, n. PT+FT runs need their seed's pretraining run.
"""
import itertools

from ..base import PlannedRun, unique_runs
from ..gen_loss import BASELINE_N
from ..variants import paired

#: regimes that finetune the pretrained network of their seed
FINETUNES = ("ptft", "ptft_lp")
#: regimes trained jointly with the auxiliary task
JOINT = ("mtl",)


def pretrain_params(seed):
    """Params of the auxiliary-task pretraining of ``seed``."""
    return {"regime": "pretrain", "seed": seed}


def variants_of(config, regime):
    """Paired variant settings of ``regime``: a list of dicts (``[{}]`` without variants)."""
    return paired(config.variants.get(regime, {}))


def plan(config):
    """All runs of a :class:`DiagonalConfig`, in execution order (list of PlannedRun).

    STL at n = 16 of every seed and grid point (the gen. loss baseline) is added
    when the grid lacks it.
    """
    out = []
    grid = config.grid
    for seed in config.seeds:
        pre = None
        if any(r in FINETUNES for r in config.regimes):
            pre = PlannedRun.of(pretrain_params(seed), summary=False)
            out.append(pre)
        for combo in itertools.product(*grid.values()):
            point = dict(zip(grid, combo))
            out.append(PlannedRun.of({"regime": "stl", "n": BASELINE_N, "seed": seed, **point}))
            for regime in config.regimes:
                needs = (pre.run_id,) if regime in FINETUNES else ()
                for variant in variants_of(config, regime):
                    for n in config.n:
                        out.append(PlannedRun.of({"regime": regime, "n": n, "seed": seed, **point,
                                           **variant}, needs=needs))
    return unique_runs(out)
