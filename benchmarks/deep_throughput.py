"""Throughput of the deep networks: training and metrics images per second, and peak memory.

    python benchmarks/deep_throughput.py [--models resnet18,vit] [--widths 0.125,1]
        [--device cpu|cuda] [--threads 1] [--steps 5] [--json FILE]

Training: SGD (ResNet) or Adam (ViT) steps on random 32 x 32 images of a
100-way head in minibatches of 128 (LL's settings, through
:func:`featreuse.nets.deep.train.train_pass`, so mixed precision and channels-last are
on exactly when the training loop turns them on). Metrics: the forward passes
of a pretrained and a finetuned network over n = 1000 images in train mode
with hooks on every representation layer, plus the PR / ENSD computation
(:func:`featreuse.nets.deep.representations.representation_metrics`). On CUDA the peak
allocated memory of each case is printed too. The first step of each case is a
warm-up and is not timed.
"""
import argparse
import json
import time

import numpy as np
import torch

from featreuse.nets.deep.models import build_model, model_kind
from featreuse.nets.deep.representations import representation_metrics
from featreuse.nets.deep.train import make_optimizer, resolve_options, train_config_for, train_pass
from featreuse.nets.device import resolve_device


def _sync(dev):
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)


def train_throughput(name, width, dev, steps, batch=128):
    """Images per second of LL's training steps, and the peak CUDA memory (bytes, or None)."""
    model = build_model(name, 100, width)
    config = train_config_for(model_kind(name))
    amp, fmt = resolve_options(model, config, dev)
    model.to(dev, memory_format=fmt).train()
    opt = make_optimizer(model, config)
    rng = np.random.default_rng(0)
    data = (torch.randn(batch * steps, 3, 32, 32, device=dev),
            torch.as_tensor(rng.integers(0, 100, batch * steps), device=dev),
            torch.arange(100, device=dev))
    train_pass(model, opt, (data[0][:batch], data[1][:batch], data[2]), np.arange(batch), batch,
               1.0, dev, amp, fmt)                              # warm-up
    if dev.type == "cuda":
        torch.cuda.reset_peak_memory_stats(dev)
    _sync(dev)
    start = time.perf_counter()
    train_pass(model, opt, data, np.arange(batch * steps), batch, 1.0, dev, amp, fmt).item()
    _sync(dev)
    seconds = time.perf_counter() - start
    peak = torch.cuda.max_memory_allocated(dev) if dev.type == "cuda" else None
    return batch * steps / seconds, peak, amp, fmt == torch.channels_last


def metrics_throughput(name, width, dev, n=1000, batch=128):
    """Images per second of the metrics pass (two networks, every layer) over n images."""
    pre, post = build_model(name, 100, width, seed=0), build_model(name, 100, width, seed=1)
    X = np.random.default_rng(1).standard_normal((n, 3, 32, 32)).astype(np.float32)
    representation_metrics(post, X[:batch], pre, batch_size=batch, device=str(dev))  # warm-up
    _sync(dev)
    result = representation_metrics(post, X, pre, batch_size=batch, device=str(dev))
    return result.images / result.metrics_s


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="resnet18,resnet18_cifar,vit")
    parser.add_argument("--widths", default="0.0625,0.125,1")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    parser.add_argument("--steps", type=int, default=5, help="timed minibatches of 128")
    parser.add_argument("--metrics-n", type=int, default=1000, help="images of the metrics pass")
    parser.add_argument("--json", default=None, help="write the rows to this file")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    dev = resolve_device(args.device)
    rows = []
    print(f"{'model':16s} {'width':>6s} {'train img/s':>12s} {'metrics img/s':>14s} "
          f"{'peak MiB':>9s}  amp  channels_last   ({dev}, {torch.get_num_threads()} threads)")
    for name in args.models.split(","):
        for width in (float(w) for w in args.widths.split(",")):
            train_ips, peak, amp, cl = train_throughput(name, width, dev, args.steps)
            metrics_ips = metrics_throughput(name, width, dev, n=args.metrics_n)
            rows.append({"model": name, "width": width, "device": str(dev),
                         "threads": torch.get_num_threads(), "train_images_per_s": train_ips,
                         "metrics_images_per_s": metrics_ips, "peak_bytes": peak,
                         "amp": amp, "channels_last": cl})
            mib = f"{peak / 2 ** 20:9.0f}" if peak is not None else f"{'-':>9s}"
            print(f"{name:16s} {width:6g} {train_ips:12.0f} {metrics_ips:14.0f} {mib}  "
                  f"{str(amp):5s} {cl}", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
