#!/usr/bin/python3
"""The PyTorch side of the side-by-side benchmark: the same workloads as descent_workloads.cpp, in
PyTorch's best CPU configuration (torch.set_num_threads(cores), OPENBLAS_NUM_THREADS=1 set by the
caller before Python starts, flush-to-zero on). Prints one JSON object, as the descent side does.

    torch_workloads.py W1 [--epochs N] [--samples N] [--threads N]
    torch_workloads.py W6 [--samples N] [--threads N]      eight one-epoch SGD runs, one after another
"""
import argparse
import gzip
import json
import os
import time

import numpy as np
import torch
from torch import nn

FASHION = "/usr/share/datasets/fashion-mnist"

WORKLOADS = {  # model, optimizer, lr, batch, epochs
    "W1": ("mlp", "sgd-momentum", 0.1, 128, 5),
    "W2": ("mlp", "sgd-momentum", 0.1, 32, 5),
    "W3": ("mlp", "adam", 1e-3, 128, 5),
    "W4": ("cnn", "sgd-momentum", 0.1, 128, 2),
    "W5": ("tutorial", "adam", 1e-4, 10, 30),
    "W6": ("mlp", "sgd", None, 128, 1),
}


def read_idx(name):
    with gzip.open(os.path.join(FASHION, name)) as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def fashion_mnist():
    x = torch.from_numpy(read_idx("train-images-idx3-ubyte.gz").astype(np.float32) / 255.0)
    y = torch.from_numpy(read_idx("train-labels-idx1-ubyte.gz").astype(np.int64))
    tx = torch.from_numpy(read_idx("t10k-images-idx3-ubyte.gz").astype(np.float32) / 255.0)
    ty = torch.from_numpy(read_idx("t10k-labels-idx1-ubyte.gz").astype(np.int64))
    return x.unsqueeze(1), y, tx.unsqueeze(1), ty


def tutorial(seed):
    """The Keras tutorial's drug trial, as data/synthetic.h describes it (ages scaled to [0, 1])."""
    rng = np.random.default_rng(seed)
    young = rng.integers(13, 65, 1050)
    old = rng.integers(65, 101, 1050)
    ages = np.concatenate([young, old]).astype(np.float32)
    labels = np.concatenate([np.r_[np.ones(50), np.zeros(1000)], np.r_[np.ones(1000), np.zeros(50)]])
    x = torch.from_numpy(((ages - 13) / 87).reshape(-1, 1))
    return x, torch.from_numpy(labels.astype(np.int64))


def build(kind):
    if kind == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128),
                             nn.ReLU(), nn.Linear(128, 10))
    if kind == "cnn":
        return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3),
                             nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1600, 128),
                             nn.ReLU(), nn.Linear(128, 10))
    return nn.Sequential(nn.Linear(1, 16), nn.ReLU(), nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 2))


def train(model, optimizer, x, y, batch, epochs):
    loss_fn = nn.CrossEntropyLoss()
    seconds = []
    n = x.shape[0]
    for _ in range(epochs):
        start = time.perf_counter()
        order = torch.randperm(n)
        for i in range(0, n, batch):
            idx = order[i:i + batch]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            optimizer.step()
        seconds.append(time.perf_counter() - start)
    return seconds


def accuracy(model, x, y):
    with torch.no_grad():
        return float((model(x).argmax(1) == y).float().mean())


def peak_rss_mib():
    """This process's peak resident memory since exec (VmHWM; ru_maxrss would include the parent's
    image from before exec)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("workload", choices=sorted(WORKLOADS))
    parser.add_argument("--epochs", type=int, default=0)
    parser.add_argument("--samples", type=int, default=0)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_flush_denormal(True)
    torch.manual_seed(42)
    kind, opt, lr, batch, epochs = WORKLOADS[args.workload]
    epochs = args.epochs or epochs
    if kind == "tutorial":
        x, y = tutorial(1)
        tx, ty = tutorial(2)
    else:
        x, y, tx, ty = fashion_mnist()
    if args.samples:
        x, y = x[:args.samples], y[:args.samples]

    result = {"workload": args.workload, "side": "pytorch", "threads": torch.get_num_threads(),
              "torch": torch.__version__}
    start = time.perf_counter()
    if args.workload == "W6":
        finals = []
        for lr in np.logspace(-4, 0, 8):
            torch.manual_seed(42)
            model = build(kind)
            train(model, torch.optim.SGD(model.parameters(), lr=float(lr)), x, y, batch, 1)
            finals.append(accuracy(model, tx, ty))
        result["test_accuracy"] = max(finals)
        result["epoch_seconds"] = [time.perf_counter() - start]
    else:
        model = build(kind)
        if opt == "adam":
            optimizer = torch.optim.Adam(model.parameters(), lr=lr)
        else:
            optimizer = torch.optim.SGD(model.parameters(), lr=lr,
                                        momentum=0.9 if opt == "sgd-momentum" else 0.0)
        result["epoch_seconds"] = train(model, optimizer, x, y, batch, epochs)
        result["test_accuracy"] = accuracy(model, tx, ty)
    result["total_seconds"] = time.perf_counter() - start
    result["peak_rss_mib"] = peak_rss_mib()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
