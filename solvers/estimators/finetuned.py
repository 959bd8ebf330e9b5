"""A pretrained diagonal network finetuned on the data (LL's PT+FT) as a scikit-learn regressor."""
import numpy as np

from .. import penalties
from featreuse.errors import InputError
from ..results import SingleResult
from ..train import finetune
from featreuse.validation import as_float_array, check_scalar
from .base import DiagonalNetBase


def _pretrained_params(pretrained, D):
    """(4, D) params of ``pretrained``: a scalar, a predictor (D,), params (4, D) or a result."""
    if pretrained is None:
        raise InputError("pretrained: give the pretrained network (params (4, D), a "
                         "SingleResult, a predictor (D,) or a scalar weight)")
    if isinstance(pretrained, SingleResult):
        pretrained = pretrained.params
    if np.ndim(pretrained) == 0:
        check_scalar(pretrained, "pretrained", low=0.0, low_inclusive=True)
        return np.full((4, D), float(pretrained))
    arr = as_float_array(pretrained, "pretrained")
    if arr.shape == (D,):
        return penalties.balanced_params(arr)
    if arr.shape != (4, D):
        raise InputError(f"pretrained must be params (4, {D}) or a predictor ({D},) to match X "
                         f"with {D} features, got shape {arr.shape}")
    return arr


class FinetunedDiagonalNetRegressor(DiagonalNetBase):
    """Finetune a pretrained single-task diagonal network on (X, y) (LL's PT+FT).

    The pretrained first layer is multiplied by ``rescale`` (s), the readouts
    reset to ``readout_init`` (c), then all weights (``train="all"``, PT+FT) or
    the readouts only (``train="readout"``, PT+FT (LP)) are trained
    (:func:`featreuse.solvers.finetune`).

    Parameters
    ----------
    pretrained : array_like (4, D), SingleResult, array_like (D,) or float
        The pretrained network: its params ``w+, v+, w-, v-``; a result of
        :func:`featreuse.solvers.train_single`; a pretrained predictor ``beta_pre``,
        taken as the balanced params of the small-init limit
        (:func:`featreuse.solvers.penalties.balanced_params`); or a scalar, every
        pretrained weight equal to it (any D).
    rescale : float
        s > 0.
    readout_init : float
        c >= 0.
    train : {"all", "readout"}
    method, lr, tol, max_steps, fit_intercept
        As :class:`DiagonalNetRegressor`.

    Attributes
    ----------
    coef_ : ndarray (D,)
    intercept_ : float
    result_ : SingleResult
        Its ``init`` is the finetuning init.
    n_iter_, converged_, n_features_in_
        As :class:`DiagonalNetRegressor`.
    """

    def __init__(self, pretrained, rescale=1.0, readout_init=1e-3, train="all", method="flow",
                 lr=0.1, tol=1e-10, max_steps=100_000, fit_intercept=False):
        self.pretrained = pretrained
        self.rescale = rescale
        self.readout_init = readout_init
        self.train = train
        self.method = method
        self.lr = lr
        self.tol = tol
        self.max_steps = max_steps
        self.fit_intercept = fit_intercept

    def _train(self, X, y):
        params = _pretrained_params(self.pretrained, X.shape[1])
        res = finetune(params, X, y, rescale=self.rescale, readout_init=self.readout_init,
                       train=self.train, method=self.method, lr=self.lr, tol=self.tol,
                       max_steps=self.max_steps)
        return res.beta, res
