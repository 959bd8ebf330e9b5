"""asv suite: the torch hot paths: the stacked ReLU trainer, one deep training step, CHS and WZR."""
import numpy as np
import torch

from featreuse import nets

from .problems import relu_stack, wzr_tasks


class ReluStacked:
    """8 STL networks at LL's sizes trained for 5 epochs as one stack (divide by 40 for the
    cost of one network-epoch)."""

    params = ([64, 512], ["float32", "float64"])
    param_names = ["n", "dtype"]
    timeout = 300

    def setup(self, n, dtype):
        torch.set_num_threads(1)
        self.runs, self.config = relu_stack(n)
        self.dtype = getattr(torch, dtype)
        nets.train_stacked(relu_stack(n, M=2, epochs=1)[0], self.config, dtype=self.dtype)

    def time_8_networks_5_epochs(self, n, dtype):
        nets.train_stacked(self.runs, self.config, dtype=self.dtype)


class DeepStep:
    """One SGD step of LL's ResNet-18 (1/8 width) on a batch of 32 images (32 x 32)."""

    timeout = 300

    def setup(self):
        from featreuse.nets.deep.models import build_model, model_kind
        from featreuse.nets.deep.train import (make_optimizer, resolve_options,
                                               train_config_for, train_pass)
        torch.set_num_threads(1)
        self.train_pass = train_pass
        self.model = build_model("resnet18", 10, 0.125)
        config = train_config_for(model_kind("resnet18"))
        self.dev = torch.device("cpu")
        self.amp, self.fmt = resolve_options(self.model, config, self.dev)
        self.model.train()
        self.opt = make_optimizer(self.model, config)
        rng = np.random.default_rng(0)
        self.data = (torch.randn(32, 3, 32, 32), torch.as_tensor(rng.integers(0, 10, 32)),
                     torch.arange(10))
        self.step()

    def step(self):
        self.train_pass(self.model, self.opt, self.data, np.arange(32), 32, 1.0, self.dev,
                        self.amp, self.fmt)

    def time_one_step(self):
        self.step()


class ChsTrain:
    """CHS's alternating algorithm: T = 10 tasks, d = 50, r = 3, 10 rounds."""

    timeout = 300

    def setup(self):
        from featreuse.nets.chs.config import ChsTrainConfig
        from featreuse.nets.chs.tasks import make_chs_tasks
        torch.set_num_threads(1)
        self.tasks = make_chs_tasks(0, 10, d=50, r=3)
        self.config = ChsTrainConfig(rounds=10)

    def time_train_10_rounds(self):
        from featreuse.nets.chs.train import train_chs
        train_chs(self.tasks, self.config, seed=0)


class WzrTrain:
    """WZR's shared module (r = 2) on 4 linear tasks: torch L-BFGS and the numpy ALS."""

    timeout = 300

    def setup(self):
        torch.set_num_threads(1)
        self.Xs, self.ys = wzr_tasks()

    def time_torch_shared_module(self):
        from featreuse.nets.wzr.train import train_shared_module
        train_shared_module(self.Xs, self.ys, 2, starts=1, max_iter=300)

    def time_als(self):
        from featreuse.solvers.wzr.als import fit_shared_module_als
        fit_shared_module_als(self.Xs, self.ys, 2, starts=1)
