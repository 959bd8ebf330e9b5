"""WZR's shared-module model ``g(X_i B) A_i`` trained in torch (docs/wzr.md).

``model``         the model as torch functions (predictions, per-task losses)
``lbfgs``         full-batch L-BFGS on a torch objective (scipy's L-BFGS-B, autograd gradients)
``train``         gradient training of the module and the heads, linear or ReLU, several starts
``align``         WZR Algorithm 1: covariance alignment before a fixed module; its transfer variant
``trained_fits``  ``SharedModuleNetFit``, ``AlignmentFit`` (numpy arrays)
``ablation_model`` the ablation's nonlinear model: per-task embedding, alignment module, shared
                  two-layer ReLU module, heads (``AblationNet``)
``ablation``      its training: MTL, Algorithm 1 with the module fixed, finetuning one task
``checks``        the argument checks only this model has (activation, module, heads, settings)

The closed forms of the linear model (optimal module, ALS, CovSim, SVD reweighting) are
:mod:`featreuse.solvers.wzr`. Nothing is imported here.
"""
