"""The five WZR studies, one per ``kind`` of experiment file: each plans and executes its runs."""
from . import ablation, align, capacity, covariance, reweight

#: kind -> the module that plans and executes its runs
STUDIES = {"capacity": capacity, "covariance": covariance, "reweight": reweight, "align": align,
           "ablation": ablation}


def plan(config):
    """The runs of the experiment's study (a list of PlannedRun)."""
    return STUDIES[config.kind].plan(config)


def execute(config, params, inputs, device):
    """One run of the experiment's study: its record."""
    return STUDIES[config.kind].execute(config, params, inputs, device)
