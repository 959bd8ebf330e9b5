"""The CHS multi-task ReLU model (reconstruction: docs/chs.md).

``tasks``        binary tasks that see the input only through ``M^T x``; the unseen probe task
``config``       settings of the alternating algorithm (``ChsTrainConfig``)
``rounds``       one round's fresh samples
``steps``        one round batched over tasks in torch (head step, shared step, losses)
``train``        the alternating algorithm, batched over tasks (``train_chs``), CPU or CUDA
``loop``         the same algorithm task by task: the reference it is tested against
``result``       ``ChsResult`` (numpy arrays)
``contrastive``  the shared-layer gradient as an explicit sum over pairs of samples (numpy)
``subspace``     how much of the first layer lies in and spans the tasks' subspace (numpy)
``probe``        the downstream linear probe on an unseen task (scikit-learn)

The random streams are the ``CHS_*`` numbers of :mod:`featreuse.nets.seeding`. Nothing is
imported here; the numpy-only modules do not import torch.
"""
