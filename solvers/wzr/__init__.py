"""Closed forms of WZR's linear shared-module model ``X_i B A_i`` (docs/wzr.md); numpy + scipy.

``span``         Prop. 3: the optimal shared module of tasks sharing their inputs X
``single_task``  Prop. 1: single-task optima (min-norm least squares per task)
``als``          alternating least squares when every task has its own X_i, several starts
``covsim``       the covariance similarity score of two tasks' inputs
``reweighting``  Algorithm 2: SVD task weights of tasks sharing X
``linear_fit``   ``SharedModuleFit``, the fitted linear model these return, and ``fit_from_module``
``checks``       the one check only these have (tasks sharing one X); the others are
                 :mod:`featreuse.validation`'s

The model trained by gradient methods (linear or ReLU) and covariance alignment are torch:
:mod:`featreuse.nets.wzr`. Nothing is imported here.
"""
