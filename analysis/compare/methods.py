"""The methods :func:`featreuse.analysis.compare.compare` knows, and the solver each one rests on."""

#: method name -> what it runs
METHODS = {
    "flow": "the exact gradient flow (single task: its end by Newton on the reduced dual, "
            "featreuse.solvers.train_single / finetune; multi-task: stiff integration, solvers.train_multi)",
    "gd": "LL's full-batch gradient descent, numba kernels (method='gd' of the trainers)",
    "gd-torch": "the same gradient descent as a plain torch loop (torch.optim.SGD on the "
                "full-batch loss, float64, one .item() per step)",
    "cvxpy": "the convex program through cvxpy and Clarabel (solvers.convex, backend='cvxpy')",
    "newton": "featreuse.solvers.convex fast entropy backend: damped Newton on the smooth dual "
              "(the flow's own solver)",
    "highs": "featreuse.solvers.convex fast min-l1 backend: the split LP solved by HiGHS",
    "reduced-clarabel": "featreuse.solvers.convex fast min-l12 backend: SVD-reduced cone program, "
                        "Clarabel without cvxpy",
}
