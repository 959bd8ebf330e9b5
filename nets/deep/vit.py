"""LL's small vision transformer for 32 x 32 images.

LL's sizes: 4 x 4 patches (an 8 x 8 grid, 64 tokens of 48 numbers) and a CLS
token, 7 blocks, width 384, 8 heads, MLP hidden size 1536. The layout is that
of the common ViT-for-CIFAR code whose defaults these sizes are (its details
were not checked against LL's code): each patch is mapped by one linear layer
to the width, a learned CLS token is put in front and a learned positional
embedding added (both drawn from N(0, 1)); pre-LayerNorm blocks of multi-head
self-attention and a GELU MLP that also applies GELU after its second layer;
the attention logits are divided by ``sqrt(width)``, not by
``sqrt(width / heads)``; the readout is a LayerNorm and a linear head on the
CLS token. No dropout.

``width`` multiplies the width (kept a multiple of the heads) and the MLP
hidden size for CPU-sized runs.

Representation layers (:meth:`ViT.representation_layers`): ``embed`` (tokens
after the embedding), ``block1`` .. ``block7`` (tokens after each block),
``pool`` (the normalised CLS token the head reads) and ``logits``. Rescaled
before finetuning: every parameter tensor (:meth:`ViT.rescaled_tensors`:
LayerNorm affine parameters, CLS token, positional embedding and head included).
"""
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from featreuse.errors import InputError
from featreuse.validation import check_scalar


@dataclass(frozen=True)
class ViTConfig:
    """Sizes of the ViT (defaults: LL's, 100 classes)."""

    num_classes: int = 100     # outputs of the one head
    width: float = 1.0         # multiplier of the token width (384) and the MLP hidden size (1536)
    depth: int = 7             # transformer blocks
    heads: int = 8             # attention heads
    image_size: int = 32       # input height = width
    patch_size: int = 4        # 4 x 4 patches: an 8 x 8 grid of tokens
    in_channels: int = 3       # RGB

    def __post_init__(self):
        for name in ("num_classes", "depth", "heads", "image_size", "patch_size", "in_channels"):
            check_scalar(getattr(self, name), name, low=1, low_inclusive=True, integer=True)
        check_scalar(self.width, "width", low=0)
        if self.image_size % self.patch_size:
            raise InputError(f"image_size = {self.image_size} must be a multiple of "
                             f"patch_size = {self.patch_size}")
        if self.dim < self.heads:
            raise InputError(f"width = {self.width} leaves fewer than {self.heads} token "
                             "channels (one per head)")

    @property
    def dim(self):
        """Token width: ``384 * width`` rounded to a multiple of ``heads``."""
        return self.heads * round(384 * self.width / self.heads)

    @property
    def mlp_dim(self):
        """MLP hidden size: four times the token width (1536 at width 1)."""
        return 4 * self.dim

    @property
    def tokens(self):
        """Patches plus the CLS token (65 for 32 x 32 images and 4 x 4 patches)."""
        return (self.image_size // self.patch_size) ** 2 + 1


class Attention(nn.Module):
    """Multi-head self-attention with separate q, k, v and output projections."""

    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.scale = dim ** -0.5           # 1 / sqrt(width), not 1 / sqrt(head width)
        self.q, self.k, self.v = nn.Linear(dim, dim), nn.Linear(dim, dim), nn.Linear(dim, dim)
        self.o = nn.Linear(dim, dim)

    def forward(self, x):
        B, T, D = x.shape
        q, k, v = (f(x).view(B, T, self.heads, D // self.heads).transpose(1, 2)
                   for f in (self.q, self.k, self.v))                  # (B, heads, T, D/heads)
        y = F.scaled_dot_product_attention(q, k, v, scale=self.scale)
        return self.o(y.transpose(1, 2).reshape(B, T, D))


class Block(nn.Module):
    """Pre-LayerNorm transformer block: ``x + attn(ln(x))``, then ``+ mlp(ln(.))``."""

    def __init__(self, dim, mlp_dim, heads):
        super().__init__()
        self.ln1 = nn.LayerNorm(dim)
        self.attn = Attention(dim, heads)
        self.ln2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, mlp_dim), nn.GELU(),
                                 nn.Linear(mlp_dim, dim), nn.GELU())   # GELU after both

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class Embedding(nn.Module):
    """Patches -> tokens: linear map of each flattened patch, CLS token, positional embedding."""

    def __init__(self, config):
        super().__init__()
        self.patch_size = config.patch_size
        self.proj = nn.Linear(config.in_channels * config.patch_size ** 2, config.dim)
        self.cls = nn.Parameter(torch.randn(1, 1, config.dim))
        self.pos = nn.Parameter(torch.randn(1, config.tokens, config.dim))

    def forward(self, x):
        B, C, H, W = x.shape
        p = self.patch_size
        patches = (x.reshape(B, C, H // p, p, W // p, p).permute(0, 2, 4, 3, 5, 1)
                   .reshape(B, (H // p) * (W // p), p * p * C))          # (B, patches, p*p*C)
        tokens = torch.cat([self.cls.expand(B, -1, -1), self.proj(patches)], dim=1)
        return tokens + self.pos


class ClsToken(nn.Module):
    """The first token (CLS) of a sequence, layer-normalised: what the head reads."""

    def __init__(self, dim):
        super().__init__()
        self.ln = nn.LayerNorm(dim)

    def forward(self, x):
        return self.ln(x[:, 0])


class ViT(nn.Module):
    """Input: images (N, in_channels, image_size, image_size); output: logits (N, num_classes)."""

    #: memory format of the inputs (no convolutions: the default pays)
    memory_format = torch.contiguous_format

    def __init__(self, config=ViTConfig()):
        super().__init__()
        self.config = config
        self.embed = Embedding(config)
        self.blocks = nn.Sequential(*[Block(config.dim, config.mlp_dim, config.heads)
                                      for _ in range(config.depth)])
        self.pool = ClsToken(config.dim)
        self.fc = nn.Linear(config.dim, config.num_classes)           # the readout

    @property
    def readout(self):
        """The readout layer (the head): ``nn.Linear(dim, num_classes)``."""
        return self.fc

    def rescaled_tensors(self):
        """Tensors multiplied by s before finetuning: every parameter (the ViT has no buffers)."""
        return list(self.parameters())

    def representation_layers(self):
        """``{name: module}`` whose outputs are the representations, in forward order."""
        layers = {"embed": self.embed}
        layers.update({f"block{i + 1}": b for i, b in enumerate(self.blocks)})
        layers.update(pool=self.pool, logits=self.fc)
        return layers

    def forward(self, x):
        size = self.config.image_size
        if x.shape[-2:] != (size, size):
            raise InputError(f"images must be {size} x {size}, got {tuple(x.shape[-2:])}")
        return self.fc(self.pool(self.blocks(self.embed(x))))
