"""ResNet-18 for 32 x 32 images, with LL's ImageNet-style stem or the CIFAR-style stem.

LL finetuned torchvision's ``resnet18`` on CIFAR-100's 32 x 32 images, keeping
its ImageNet stem (a 7 x 7 stride-2 convolution and a 3 x 3 stride-2 max-pool,
so the first stage sees 8 x 8 maps). ``stem="cifar"`` is the usual CIFAR
variant (one 3 x 3 stride-1 convolution, no pool: the first stage sees 32 x 32
maps). At ``width=1`` with the ImageNet stem and 100 classes the network has
torchvision's 11,227,812 parameters; ``width`` multiplies every channel count
(64, 128, 256, 512) for CPU-sized runs.

Representation layers (:meth:`ResNet.representation_layers`): ``stem``, the
four residual stages ``stage1`` .. ``stage4``, the pooled features ``pool``
and the ``logits``. Rescaled before finetuning: every parameter tensor
(:meth:`ResNet.rescaled_tensors`), BatchNorm running statistics excluded.
"""
from dataclasses import dataclass

import torch
from torch import nn

from featreuse.errors import InputError
from featreuse.validation import check_choice, check_scalar

STEMS = ("imagenet", "cifar")


@dataclass(frozen=True)
class ResNetConfig:
    """Sizes of a ResNet with basic blocks (defaults: ResNet-18, LL's stem, 100 classes)."""

    num_classes: int = 100                 # outputs of the one head (CIFAR-100: 100)
    width: float = 1.0                     # channel multiplier (1: 64, 128, 256, 512)
    stem: str = "imagenet"                 # "imagenet": 7x7/2 conv + 3x3/2 max-pool; "cifar": 3x3/1
    blocks: tuple = (2, 2, 2, 2)           # basic blocks per stage (ResNet-18)
    in_channels: int = 3                   # RGB

    def __post_init__(self):
        check_scalar(self.num_classes, "num_classes", low=1, low_inclusive=True, integer=True)
        check_scalar(self.width, "width", low=0)
        check_choice(self.stem, STEMS, "stem")
        check_scalar(self.in_channels, "in_channels", low=1, low_inclusive=True, integer=True)
        if len(self.blocks) != 4:
            raise InputError(f"blocks must give 4 stages, got {self.blocks!r}")
        for b in self.blocks:
            check_scalar(b, "blocks entries", low=1, low_inclusive=True, integer=True)
        if round(64 * self.width) < 1:
            raise InputError(f"width = {self.width} leaves the first stage without channels "
                             "(64 * width must round to >= 1)")

    @property
    def channels(self):
        """Channels of the four stages: ``round(c * width)`` for c = 64, 128, 256, 512."""
        return tuple(max(1, round(c * self.width)) for c in (64, 128, 256, 512))


def conv3x3(c_in, c_out, stride=1):
    return nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)


class BasicBlock(nn.Module):
    """``relu(bn(conv(relu(bn(conv(x))))) + shortcut(x))``; the shortcut is a 1x1 conv + BN
    when the block changes the stride or the channels (torchvision's layout)."""

    def __init__(self, c_in, c_out, stride):
        super().__init__()
        self.conv1 = conv3x3(c_in, c_out, stride)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = conv3x3(c_out, c_out)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.shortcut = nn.Identity()
        if stride != 1 or c_in != c_out:
            self.shortcut = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False),
                                          nn.BatchNorm2d(c_out))

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return torch.relu(out + self.shortcut(x))


class ResNet(nn.Module):
    """ResNet with basic blocks: stem, four stages, global average pool, one linear head.

    Input: images (N, in_channels, H, W) float32; output: logits (N, num_classes).
    """

    #: memory format that pays on CUDA (convolutions): used by nets.deep.train when enabled
    memory_format = torch.channels_last

    def __init__(self, config=ResNetConfig()):
        super().__init__()
        self.config = config
        c1 = config.channels[0]
        if config.stem == "imagenet":
            self.stem = nn.Sequential(
                nn.Conv2d(config.in_channels, c1, 7, stride=2, padding=3, bias=False),
                nn.BatchNorm2d(c1), nn.ReLU(),
                nn.MaxPool2d(3, stride=2, padding=1))
        else:
            self.stem = nn.Sequential(conv3x3(config.in_channels, c1), nn.BatchNorm2d(c1),
                                      nn.ReLU())
        stages, c_in = [], c1
        for i, (c_out, blocks) in enumerate(zip(config.channels, config.blocks)):
            stride = 1 if i == 0 else 2
            layers = [BasicBlock(c_in, c_out, stride)]
            layers += [BasicBlock(c_out, c_out, 1) for _ in range(blocks - 1)]
            stages.append(nn.Sequential(*layers))
            c_in = c_out
        self.stage1, self.stage2, self.stage3, self.stage4 = stages
        self.pool = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.fc = nn.Linear(c_in, config.num_classes)        # the readout
        self._init_weights()

    def _init_weights(self):
        """torchvision's initialisation: He-normal (fan-out) convolutions, BN weight 1 and
        bias 0; the head keeps PyTorch's default Linear initialisation."""
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    @property
    def readout(self):
        """The readout layer (the head): ``nn.Linear(channels[-1], num_classes)``."""
        return self.fc

    def rescaled_tensors(self):
        """Tensors multiplied by s before finetuning: every parameter (BN affine parameters and
        the head included); BN running statistics are buffers and are not rescaled."""
        return list(self.parameters())

    def representation_layers(self):
        """``{name: module}`` whose outputs are the representations, in forward order."""
        return {"stem": self.stem, "stage1": self.stage1, "stage2": self.stage2,
                "stage3": self.stage3, "stage4": self.stage4, "pool": self.pool,
                "logits": self.fc}

    def forward(self, x):
        x = self.stem(x)
        x = self.stage4(self.stage3(self.stage2(self.stage1(x))))
        return self.fc(self.pool(x))
