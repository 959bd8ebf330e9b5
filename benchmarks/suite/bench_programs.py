"""asv suite: the implicit-bias program (P-ent) by the fast backend, n = 64 and 512, D = 1000."""
from featreuse.solvers import convex

from .problems import implicit_bias_problem


class ImplicitBias:
    """``convex.implicit_bias`` with a scalar init and with a (4, D) init array."""

    params = ([64, 512], ["scalar", "array"])
    param_names = ["n", "init"]

    def setup(self, n, init):
        self.X, self.y, array = implicit_bias_problem(n)
        self.init = 1e-3 if init == "scalar" else array
        convex.implicit_bias(self.X[:8], self.y[:8], init=1e-3)  # compile

    def time_fast_backend(self, n, init):
        convex.implicit_bias(self.X, self.y, init=self.init)
