"""featreuse list: the named experiments, their family and one-line description."""
HELP = "list the named experiments"


def configure(parser):
    """No arguments."""
    return parser


def run(args):
    """Print one line per named experiment."""
    from ..experiments import list_experiments
    exps = list_experiments()
    width = max(map(len, exps), default=0)
    fam_width = max((len(f) for f, _ in exps.values()), default=0)
    for name, (family, description) in exps.items():
        print(f"{name:<{width}}  {family:<{fam_width}}  {description}")
    return 0
