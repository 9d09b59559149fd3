#!/usr/bin/python3
"""The PyTorch side of the side-by-side benchmark: the same workloads as descent_workloads.cpp, in
PyTorch's best CPU configuration (torch.set_num_threads(cores), OPENBLAS_NUM_THREADS=1 set by the
caller before Python starts, flush-to-zero on). Prints one JSON object, as the descent side does.

    torch_workloads.py W1 [--epochs N] [--samples N] [--threads N]
    torch_workloads.py W6 [--samples N] [--threads N]      eight one-epoch SGD runs, one after another
    torch_workloads.py W7 [--epochs N] [--samples N] [--seed N]   the small ResNet, one-cycle SGD
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
    "W7": ("resnet", "sgd-onecycle", 0.1, 128, 10),
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


class BasicBlock(nn.Module):
    """descent's `--model resnet` block: conv3x3-BN-ReLU-conv3x3-BN plus the shortcut, then ReLU.
    Keras's padding "same" at stride 2 pads only the bottom and right: ZeroPad2d((0, 1, 0, 1))."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.pad = nn.ZeroPad2d((0, 1, 0, 1)) if stride == 2 else nn.Identity()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, padding=0 if stride == 2 else 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Identity()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                          nn.BatchNorm2d(cout))

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(self.pad(x))))
        return torch.relu(self.bn2(self.conv2(y)) + self.shortcut(x))


def resnet(widths=(16, 32, 64), outputs=10):
    layers = [nn.Conv2d(1, widths[0], 3, padding=1, bias=False), nn.BatchNorm2d(widths[0]),
              nn.ReLU()]
    channels = widths[0]
    for stage, width in enumerate(widths):
        layers.append(BasicBlock(channels, width, 2 if stage > 0 else 1))
        channels = width
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, outputs)]
    return nn.Sequential(*layers)


def build(kind):
    if kind == "resnet":
        return resnet()
    if kind == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128),
                             nn.ReLU(), nn.Linear(128, 10))
    if kind == "cnn":
        return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3),
                             nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1600, 128),
                             nn.ReLU(), nn.Linear(128, 10))
    return nn.Sequential(nn.Linear(1, 16), nn.ReLU(), nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 2))


def train(model, optimizer, x, y, batch, epochs, schedule=None):
    loss_fn = nn.CrossEntropyLoss()
    seconds = []
    n = x.shape[0]
    model.train()
    for _ in range(epochs):
        start = time.perf_counter()
        order = torch.randperm(n)
        for i in range(0, n, batch):
            idx = order[i:i + batch]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            optimizer.step()
            if schedule is not None:
                schedule.step()
        seconds.append(time.perf_counter() - start)
    return seconds


def accuracy(model, x, y):
    model.eval()  # batch normalization: the running statistics
    with torch.no_grad():
        correct = sum(int((model(x[i:i + 1000]).argmax(1) == y[i:i + 1000]).sum())
                      for i in range(0, x.shape[0], 1000))
    return correct / x.shape[0]


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
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_flush_denormal(True)
    torch.manual_seed(args.seed)
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
        schedule = None
        if opt == "adam":
            optimizer = torch.optim.Adam(model.parameters(), lr=lr)
        elif opt == "sgd-onecycle":  # η and momentum cycled (0.95 → 0.85 → 0.95) over the run
            optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9,
                                        weight_decay=5e-4)
            steps = epochs * ((x.shape[0] + batch - 1) // batch)
            schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr,
                                                           total_steps=steps)
        else:
            optimizer = torch.optim.SGD(model.parameters(), lr=lr,
                                        momentum=0.9 if opt == "sgd-momentum" else 0.0)
        result["epoch_seconds"] = train(model, optimizer, x, y, batch, epochs, schedule)
        result["test_accuracy"] = accuracy(model, tx, ty)
    result["total_seconds"] = time.perf_counter() - start
    result["peak_rss_mib"] = peak_rss_mib()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
