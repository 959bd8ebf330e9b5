"""Random streams of the CHS multi-task model (see docs/chs.md).

Every draw of :mod:`featreuse.nets.chs_tasks`, :mod:`featreuse.nets.chs_train` and
:mod:`featreuse.nets.chs_probe` comes from :func:`featreuse.nets.seeding.stream` with one of the
numbers below (``SeedSequence(seed, spawn_key=(number,))``). They are distinct
from the numbers of :mod:`featreuse.nets.seeding`, so that for one seed

* the subspace ``M`` depends on ``(d, r)`` only,
* the task directions ``v_t`` depend on ``r`` only (the tasks of T are the
  first T tasks of any larger T, and are shared by every ``d``),
* the unseen probe task depends on ``r`` only,
* the initial weights, the training samples of the rounds and the probe's
  inputs are independent of each other and of the tasks.
"""
from .seeding import stream

SUBSPACE_STREAM = 100   # the orthonormal basis M (d, r)
TASK_STREAM = 101       # the training tasks' directions v_t (T, r)
ROUND_STREAM = 102      # fresh inputs of every training round
INIT_STREAM = 103       # the first layer at initialisation W0 (m, d)
PROBE_TASK_STREAM = 104  # the unseen task of the downstream probe (r,)
PROBE_DATA_STREAM = 105  # the probe's test and training inputs

__all__ = ["stream", "SUBSPACE_STREAM", "TASK_STREAM", "ROUND_STREAM", "INIT_STREAM",
           "PROBE_TASK_STREAM", "PROBE_DATA_STREAM"]
