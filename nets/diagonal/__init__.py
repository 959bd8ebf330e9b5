"""Diagonal networks in torch: LL's reference loop (:mod:`.reference`) and nothing else.

The toolkit's own diagonal trainers and flows are numba and live in :mod:`featreuse.solvers`;
this loop (full-batch ``torch.optim.SGD``, one ``.item()`` per step) is their independent
reference, the peer of the benchmarks and the ``gd-torch`` method of the solver comparison
(:mod:`featreuse.analysis.compare`). Nothing is imported here.
"""
