"""scikit-learn estimators of diagonal linear networks (imports scikit-learn).

=================================  ==================================================
estimator                          trains
=================================  ==================================================
:class:`DiagonalNetRegressor`      one network, :func:`featreuse.solvers.train_single`
:class:`MultiTaskDiagonalNetRegressor`  one task per target column, shared first
                                   layer, :func:`featreuse.solvers.train_multi`
:class:`FinetunedDiagonalNetRegressor`  a pretrained network finetuned on the data,
                                   :func:`featreuse.solvers.finetune`
=================================  ==================================================

They follow scikit-learn's conventions (``fit`` / ``predict`` / ``score``,
``get_params`` / ``set_params``, input checks by ``validate_data``), so they
work in ``Pipeline`` and ``GridSearchCV``. The networks have no bias:
``fit_intercept=False`` (default) trains the network on the data as given, so
that ``coef_`` is the trainer's ``beta``; ``fit_intercept=True`` centres X and
y first and adds an unpenalised intercept (``intercept_ = mean(y) - mean(X)
coef_``), as scikit-learn's Lasso does.
"""
from .finetuned import FinetunedDiagonalNetRegressor
from .multi_task import MultiTaskDiagonalNetRegressor
from .single import DiagonalNetRegressor

__all__ = ["DiagonalNetRegressor", "MultiTaskDiagonalNetRegressor",
           "FinetunedDiagonalNetRegressor"]
