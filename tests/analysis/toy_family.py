"""A toy model family for testing the generic layers (registered only by the tests).

Per seed a ``base`` run (no summary row) records an array and an artefact; each
``fit`` run needs its seed's base run, reads both, and is batched by the parity
of its n. A run with ``n == FAIL_N`` fails alone; a batch holding
``BATCH_FAIL_N`` fails as a whole.
"""
from dataclasses import dataclass

import numpy as np

from featreuse.analysis.families.base import ExperimentConfig, Family, PlannedRun
from featreuse.analysis.families.checks import check_int_list

FAIL_N, BATCH_FAIL_N = 7, 9
#: (batch size, batch key) of every execute_batch call in this process
CALLS = []


@dataclass
class ToyConfig(ExperimentConfig):
    n: list


class ToyFamily(Family):
    name = "toy"
    metric = "error"
    metric_label = "error"
    max_batch = 3

    def parse_config(self, table, *, name, description, quick, seeds):
        return ToyConfig(name=name, family="toy", description=description, quick=quick,
                         seeds=seeds, n=check_int_list(table.get("n"), "n"))

    def config_from_dict(self, data):
        return ToyConfig(**data)

    def plan(self, config):
        runs = []
        for seed in config.seeds:
            base = PlannedRun.of({"regime": "base", "seed": seed}, summary=False)
            runs.append(base)
            runs += [PlannedRun.of({"regime": "fit", "seed": seed, "n": n}, needs=(base.run_id,))
                     for n in config.n]
        return runs

    def batch_key(self, config, params):
        return None if params["regime"] == "base" else params["n"] % 2

    def execute_batch(self, config, params_list, inputs_list, device):
        CALLS.append((len(params_list), self.batch_key(config, params_list[0])))
        if any(p.get("n") == BATCH_FAIL_N for p in params_list):
            raise RuntimeError("the whole batch fails")
        return super().execute_batch(config, params_list, inputs_list, device)

    def execute(self, config, params, inputs, device):
        if params["regime"] == "base":
            blob = f"seed {params['seed']}".encode() * 1000
            return {"scalars": {"value": float(params["seed"])},
                    "arrays": {"offset": np.array([params["seed"]], dtype=np.int32)},
                    "artefacts": {"blob.bin": blob}}
        if params["n"] == FAIL_N:
            raise ValueError(f"n = {FAIL_N} fails")
        (base,) = inputs.values()
        blob = base.read_artefact("blob.bin")
        assert blob == f"seed {params['seed']}".encode() * 1000
        value = float(params["n"] + base.arrays["offset"][0])
        assert base.attrs["value"] == params["seed"] and base.attrs["status"] == "done"
        return {"scalars": {"value": value}, "arrays": {"x": np.full(params["n"], value)}}

    def columns(self, config):
        return ("value",)

    def swept_columns(self, config):
        return []

    def metric_values(self, df, config):
        return df["value"].to_numpy(dtype=float) / 10

    def figures(self, df, config):
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots()
        ax.plot(df["n"], df["error"], "o")
        return [("", fig)]


FAMILY = ToyFamily()
