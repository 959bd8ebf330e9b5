"""Deep networks on CIFAR (LL's deep experiments): ResNet-18 and a small ViT, trained in torch.

``resnet``, ``vit``   the two architectures
``models``            the networks by name, their seeded initialisation (``init_seed``), the
                      rescaling before finetuning (``rescale_``)
``task``              one classification task (images, labels, the head outputs it reads)
``train``             LL's training loop: pretraining, STL, MTL and finetuning are one loop
``eval``              test accuracy and loss
``metrics``           participation ratio, overlap and ENSD of representations
``representations``   per-layer activations (forward hooks) and their metrics

Nothing is imported here; each module imports torch itself.
"""
