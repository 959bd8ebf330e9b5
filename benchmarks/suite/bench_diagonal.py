"""asv suite: the diagonal-network engine (run: cd benchmarks && asv run --python=same --quick)."""
import warnings

import numpy as np

from featreuse import solvers
from featreuse.solvers.gd_kernels import gd_single

from .problems import paper_problem


class FlowEnd:
    """Exact flow ends: pretraining (n = 1024 > D) and finetuning (n = 64)."""

    def setup(self):
        self.Xa, self.ya, self.Xm, self.ym = paper_problem()
        self.pre = solvers.train_single(self.Xa, self.ya, init=1e-3)

    def time_pretrain_flow_end(self):
        solvers.train_single(self.Xa, self.ya, init=1e-3)

    def time_finetune_flow_end(self):
        solvers.finetune(self.pre, self.Xm, self.ym, rescale=1.0, readout_init=1e-3)

    def time_stl_flow_end(self):
        solvers.train_single(self.Xm, self.ym, init=1e-3)


class GDStep:
    """Per-step cost of the numba GD kernel (1000 steps) at n = 64 and n = 1024."""

    params = [64, 1024]
    param_names = ["n"]

    def setup(self, n):
        Xa, ya, Xm, ym = paper_problem()
        self.X, self.y = (Xm, ym) if n == 64 else (Xa, ya)
        self.init = np.full((1, 4, self.X.shape[1]), 1e-3)
        gd_single(self.X, self.y, self.init, np.array([0.1]), 0.0, 2, False, 0, 100.0)

    def time_1000_steps(self, n):
        gd_single(self.X, self.y, self.init, np.array([0.1]), 0.0, 1000, False, 0, 100.0)


class GDBatch:
    """16 runs sharing X in one batch vs the same 16 one at a time (1000 steps each)."""

    def setup(self):
        _, _, self.X, self.y = paper_problem()
        self.inits = [float(a) for a in np.logspace(-3, -1, 16)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            solvers.train_single_batch(self.X, self.y, self.inits[:2], method="gd", max_steps=2)

    def time_batched(self):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            solvers.train_single_batch(self.X, self.y, self.inits, method="gd", tol=0.0, max_steps=1000)

    def time_one_at_a_time(self):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for a in self.inits:
                solvers.train_single(self.X, self.y, init=a, method="gd", tol=0.0, max_steps=1000)


class MultiFlowEnd:
    """MTL flow to loss 1e-10 on LL's problem (n = 1024 + 64, alpha = 1e-3, rtol 1e-6)."""

    timeout = 300

    def setup(self):
        self.Xa, self.ya, self.Xm, self.ym = paper_problem()
        solvers.train_multi([self.Xa[:50], self.Xm[:10]], [self.ya[:50], self.ym[:10]], init=1e-3,
                            method="flow", tol=1e-6)

    def time_mtl_flow_end(self):
        solvers.train_multi([self.Xa, self.Xm], [self.ya, self.ym], init=1e-3, method="flow",
                            tol=1e-10)
