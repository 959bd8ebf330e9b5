"""WZR's shared-module model ``g(X_i B) A_i`` trained in torch (docs/wzr.md).

``model``         the model as torch functions (predictions, per-task losses)
``lbfgs``         full-batch L-BFGS on a torch objective (scipy's L-BFGS-B, autograd gradients)
``train``         gradient training of the module and the heads, linear or ReLU, several starts
``align``         WZR Algorithm 1: covariance alignment before a fixed module; its transfer variant
``trained_fits``  ``SharedModuleNetFit``, ``AlignmentFit`` (numpy arrays)
``checks``        the argument checks only this model has (activation, module, heads, settings)

The closed forms of the linear model (optimal module, ALS, CovSim, SVD reweighting) are
:mod:`featreuse.solvers.wzr`. Nothing is imported here.
"""
