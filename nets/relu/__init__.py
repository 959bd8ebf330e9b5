"""LL's one-hidden-layer ReLU teacher-student networks (Lippl & Lindsey 2024, ReLU experiments).

``teacher``    the auxiliary and main ReLU teachers and their data (``make_teacher``,
               ``aux_data``, ``main_data``, ``held_out_inputs``)
``model``      the network ``a . ReLU(W x)``, its config and seeded initialisation
``runs``       what one run is (``RunSpec``): STL, MTL, pretraining and PT+FT runs
``finetune``   the PT+FT start (pretrained W rescaled, readout re-drawn)
``stacked``    many networks trained at once with batched matmuls (``train_stacked``)
``flow``       the full-batch gradient flow integrated with error control (``train_flow``)
``loop``       one network at a time, as LL's released code (``train_one``), the reference
``epochs``     minibatch orders; ``checks``: the two trainers' argument checks
``results``    ``ReluResult``, ``StackedResult`` (numpy arrays)
``baselines``  ridge on frozen features (LP) and on NTK features at the finetuning start
``metrics``    norms, effective units, unit clusters and alignment, finetuning change

The public names are exported flat by :mod:`featreuse.nets` (``featreuse.nets.train_stacked``).
Nothing is imported here, so importing one module (say ``teacher``) does not import torch.
"""
