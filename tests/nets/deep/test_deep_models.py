"""ResNet-18 (two stems) and the ViT: parameter counts, shapes, seeding and rescaling."""
import numpy as np
import pytest
import torch

from featreuse.nets.deep.models import MODELS, build_model, count_parameters, model_config, rescale_
from featreuse.nets.deep.representations import layer_activations
from featreuse.errors import InputError, InputTypeError
from featreuse.nets.deep.resnet import ResNet, ResNetConfig
from featreuse.nets.deep.vit import ViT, ViTConfig

#: torchvision's resnet18 (ImageNet stem, 1000 classes): a published count
TORCHVISION_RESNET18 = 11_689_512


def test_ll_stem_resnet18_has_torchvisions_parameter_count():
    model = ResNet(ResNetConfig(num_classes=1000))
    assert count_parameters(model) == TORCHVISION_RESNET18
    # a 100-way head: 900 fewer rows of 512 weights and a bias
    assert count_parameters(build_model("resnet18", 100)) == 11_227_812
    assert TORCHVISION_RESNET18 - 900 * 513 == 11_227_812


def test_cifar_stem_differs_by_the_first_convolution_only():
    # 7x7 -> 3x3 kernels on 3 -> 64 channels: 64 * 3 * (49 - 9) fewer weights
    assert count_parameters(build_model("resnet18_cifar", 100)) == 11_227_812 - 64 * 3 * 40


def test_vit_parameter_count_is_the_closed_form_of_its_layout():
    D, M, T, P, K, L = 384, 1536, 65, 4 * 4 * 3, 100, 7
    embed = P * D + D + D + T * D                     # patch map, CLS token, positions
    block = 2 * 2 * D + 4 * (D * D + D) + (D * M + M) + (M * D + D)
    head = 2 * D + D * K + K                          # LayerNorm and linear readout
    model = build_model("vit", K)
    assert (model.config.dim, model.config.mlp_dim, model.config.tokens) == (D, M, T)
    assert count_parameters(model) == embed + L * block + head


@pytest.mark.parametrize("name, shapes", [
    ("resnet18", {"stem": (64, 8, 8), "stage1": (64, 8, 8), "stage2": (128, 4, 4),
                  "stage3": (256, 2, 2), "stage4": (512, 1, 1), "pool": (512,), "logits": (100,)}),
    ("resnet18_cifar", {"stem": (64, 32, 32), "stage1": (64, 32, 32), "stage2": (128, 16, 16),
                        "stage3": (256, 8, 8), "stage4": (512, 4, 4), "pool": (512,),
                        "logits": (100,)}),
    ("vit", {"embed": (65, 384), **{f"block{i}": (65, 384) for i in range(1, 8)},
             "pool": (384,), "logits": (100,)}),
])
def test_outputs_and_representation_layers_have_the_expected_shapes(name, shapes):
    model = build_model(name, 100)
    X = np.random.default_rng(0).standard_normal((3, 3, 32, 32)).astype(np.float32)
    with torch.no_grad():
        assert tuple(model.eval()(torch.from_numpy(X)).shape) == (3, 100)
    acts = layer_activations(model, X, mode="eval", batch_size=3)
    assert list(acts) == list(shapes)
    for layer, shape in shapes.items():
        assert tuple(acts[layer].shape) == (3, int(np.prod(shape))), layer
    assert torch.equal(acts["logits"], model(torch.from_numpy(X)).detach())


def test_width_multiplies_the_channels_and_the_token_width():
    assert model_config("resnet18", 10, 0.125).channels == (8, 16, 32, 64)
    vit = model_config("vit", 10, 0.125)
    assert (vit.dim, vit.mlp_dim) == (48, 192)


@pytest.mark.parametrize("name", MODELS)
def test_rescaling_multiplies_every_parameter_and_no_buffer(name):
    model = build_model(name, 10, width=0.0625, seed=1)
    model.train()(torch.randn(4, 3, 32, 32))          # BatchNorm running statistics move
    params = {k: p.detach().clone() for k, p in model.named_parameters()}
    buffers = {k: b.clone() for k, b in model.named_buffers()}
    kinds = {type(m).__name__ for m in model.modules() if any(True for _ in m.parameters(False))}
    assert {"Linear"} <= kinds and ({"BatchNorm2d", "Conv2d"} <= kinds or "LayerNorm" in kinds)
    assert model.readout.weight is dict(model.named_parameters())["fc.weight"]
    assert len(model.rescaled_tensors()) == len(params)
    rescale_(model, 0.25)
    for k, p in model.named_parameters():
        assert torch.equal(p, 0.25 * params[k]), k   # exact: a power of 2
    for k, b in model.named_buffers():
        assert torch.equal(b, buffers[k]), k
    if name != "vit":
        assert any("running_var" in k for k in buffers)


def test_the_seed_fixes_the_initialisation_and_leaves_the_global_generator_alone():
    torch.manual_seed(123)
    expected = torch.rand(1)
    torch.manual_seed(123)
    a, b = build_model("vit", 10, 0.0625, seed=5), build_model("vit", 10, 0.0625, seed=5)
    c = build_model("vit", 10, 0.0625, seed=6)
    assert torch.rand(1) == expected
    for (k, p), q, r in zip(a.named_parameters(), b.parameters(), c.parameters()):
        assert torch.equal(p, q), k
    assert not torch.equal(a.embed.pos, c.embed.pos)


def test_bad_model_arguments_raise_typed_errors():
    with pytest.raises(InputError, match="unknown model 'resnet50'"):
        build_model("resnet50", 10)
    with pytest.raises(InputError, match="width"):
        build_model("resnet18", 10, width=0.001)
    with pytest.raises(InputError, match="fewer than 8"):
        ViTConfig(width=0.01)
    with pytest.raises(InputError, match="stem"):
        ResNetConfig(stem="imagenet-v2")
    with pytest.raises(InputError, match="s must be > 0"):
        rescale_(build_model("resnet18", 10, 0.0625), 0.0)
    with pytest.raises(InputTypeError):
        rescale_(torch.nn.Linear(2, 2), 0.5)
    with pytest.raises(InputError, match="32 x 32"):
        ViT(ViTConfig(width=0.0625))(torch.zeros(1, 3, 16, 16))
