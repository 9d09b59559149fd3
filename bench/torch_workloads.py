#!/usr/bin/python3
"""The PyTorch side of the side-by-side benchmark: the same workloads as descent_workloads.cpp, in
PyTorch's best CPU configuration (torch.set_num_threads(cores), OPENBLAS_NUM_THREADS=1 set by the
caller before Python starts, flush-to-zero on). Prints one JSON object, as the descent side does.

    torch_workloads.py W1 [--epochs N] [--samples N] [--threads N]
    torch_workloads.py W6 [--samples N] [--threads N]      eight one-epoch SGD runs, one after another
    torch_workloads.py W7 [--epochs N] [--samples N] [--seed N]   the small ResNet, one-cycle SGD
    torch_workloads.py W8 [--epochs N] [--samples N] [--seed N]   the character GPT on fortunes
"""
import argparse
import gzip
import json
import math
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
    "W8": ("gpt", "adamw-cosine", 1e-3, 64, 7),
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


def resnet(widths=(16, 32, 64), outputs=10, blocks=2):
    layers = [nn.Conv2d(1, widths[0], 3, padding=1, bias=False), nn.BatchNorm2d(widths[0]),
              nn.ReLU()]
    channels = widths[0]
    for stage, width in enumerate(widths):
        for block in range(blocks):
            layers.append(BasicBlock(channels, width, 2 if stage > 0 and block == 0 else 1))
            channels = width
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, outputs)]
    return nn.Sequential(*layers)


FORTUNES = "/usr/share/games/fortunes"
CONTEXT = 128


def fortunes_windows():
    """descent's `--data text` (src/cli/data_source.cpp): the fortunes files but the .dat and .u8
    indexes, in name order; the sorted code points as the vocabulary; the first 90% of the
    characters in windows of CONTEXT (targets: the next characters), the last 10% held out."""
    names = sorted(n for n in os.listdir(FORTUNES) if os.path.isfile(os.path.join(FORTUNES, n))
                   and not n.endswith((".dat", ".u8")))
    text = "".join(open(os.path.join(FORTUNES, n), encoding="utf-8").read() for n in names)
    vocabulary = sorted(set(text))
    index = {c: i for i, c in enumerate(vocabulary)}
    tokens = torch.tensor([index[c] for c in text], dtype=torch.int64)
    split = int(len(tokens) * 0.9)

    def windows(part):
        n = (len(part) - 1) // CONTEXT
        x = part[:n * CONTEXT].view(n, CONTEXT)
        y = part[1:n * CONTEXT + 1].view(n, CONTEXT)
        return x, y

    x, y = windows(tokens[:split])
    tx, ty = windows(tokens[split:])
    return x, y, tx, ty, len(vocabulary)


class Block(nn.Module):
    """A pre-norm block of descent's `--model gpt`: x + MHA_causal(LN(x)), x + MLP(LN(x))."""

    def __init__(self, dim, heads):
        super().__init__()
        self.ln1 = nn.LayerNorm(dim)
        self.attention = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.ln2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim))

    def forward(self, x, mask):
        y = self.ln1(x)
        x = x + self.attention(y, y, y, attn_mask=mask, need_weights=False)[0]
        return x + self.mlp(self.ln2(x))


class Gpt(nn.Module):
    """`gpt:layers=4,heads=4,dim=128,context=128`: embeddings and Dense kernels N(0, 0.02²),
    biases 0, the attention as nn.MultiheadAttention starts, an untied output without bias."""

    def __init__(self, vocabulary, layers=4, heads=4, dim=128):
        super().__init__()
        self.tokens = nn.Embedding(vocabulary, dim)
        self.positions = nn.Parameter(torch.zeros(CONTEXT, dim))
        self.blocks = nn.ModuleList(Block(dim, heads) for _ in range(layers))
        self.ln = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, vocabulary, bias=False)
        for module in self.modules():
            # type(...) is nn.Linear: the attention's out_proj, a subclass of it, keeps
            # nn.MultiheadAttention's own start, as descent's MultiHeadAttention layer does.
            if type(module) is nn.Linear:
                nn.init.normal_(module.weight, std=0.02)
                if module.bias is not None:
                    nn.init.zeros_(module.bias)
        nn.init.normal_(self.tokens.weight, std=0.02)
        nn.init.normal_(self.positions, std=0.02)
        self.register_buffer("mask", torch.triu(torch.ones(CONTEXT, CONTEXT, dtype=torch.bool), 1))

    def forward(self, x):
        h = self.tokens(x) + self.positions[:x.shape[1]]
        for block in self.blocks:
            h = block(h, self.mask[:x.shape[1], :x.shape[1]])
        return self.head(self.ln(h))


def keras_cosine(peak, steps):
    """tune's "cosine" preset: linear warmup over 5% of the steps from peak/25, then cosine decay
    to 0 (Keras's CosineDecay with warmup, as optim/schedule/cosine_decay.cpp computes it)."""
    warmup = max(1, steps // 20)
    decay = max(1, steps - warmup)
    initial = peak / 25

    def lr(t):
        step = min(t, decay + warmup)
        if step < warmup:
            return (peak - initial) * step / warmup + initial
        return peak * 0.5 * (1 + math.cos(math.pi * (step - warmup) / decay))
    return lambda t: lr(t) / peak  # LambdaLR multiplies the optimizer's η


def build(kind, blocks=2):
    if kind == "resnet":
        return resnet(blocks=blocks)
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
            out = model(x[idx])
            loss = loss_fn(out.reshape(-1, out.shape[-1]), y[idx].reshape(-1))
            loss.backward()
            optimizer.step()
            if schedule is not None:
                schedule.step()
        seconds.append(time.perf_counter() - start)
    return seconds


def evaluate(model, x, y):
    """Test accuracy and mean cross-entropy, per sample or per token (a language model)."""
    model.eval()  # batch normalization: the running statistics
    correct, loss = 0, 0.0
    with torch.no_grad():
        for i in range(0, x.shape[0], 1000):
            out = model(x[i:i + 1000])
            out, target = out.reshape(-1, out.shape[-1]), y[i:i + 1000].reshape(-1)
            correct += int((out.argmax(-1) == target).sum())
            loss += float(nn.functional.cross_entropy(out, target, reduction="sum"))
    return correct / y.numel(), loss / y.numel()


def accuracy(model, x, y):
    return evaluate(model, x, y)[0]


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
    parser.add_argument("--lr", type=float, default=0.0, help="η (the peak, under a schedule)")
    parser.add_argument("--blocks", type=int,
                        help="W7: basic blocks a stage (default 2; descent's "
                        "--model resnet:16,32,64:blocks=N)")
    args = parser.parse_args()
    if args.blocks is not None and args.workload != "W7":
        parser.error("--blocks applies to W7 only")
    if args.lr and args.workload == "W6":
        parser.error("--lr does not apply to W6 (its sweep sets η)")
    torch.set_num_threads(args.threads)
    torch.set_flush_denormal(True)
    torch.manual_seed(args.seed)
    kind, opt, lr, batch, epochs = WORKLOADS[args.workload]
    epochs = args.epochs or epochs
    lr = args.lr or lr
    vocabulary = 0
    if kind == "tutorial":
        x, y = tutorial(1)
        tx, ty = tutorial(2)
    elif kind == "gpt":
        x, y, tx, ty, vocabulary = fortunes_windows()
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
        model = Gpt(vocabulary) if kind == "gpt" else build(kind, args.blocks or 2)
        steps = epochs * ((x.shape[0] + batch - 1) // batch)
        schedule = None
        if opt == "adam":
            optimizer = torch.optim.Adam(model.parameters(), lr=lr)
        elif opt == "sgd-onecycle":  # η and momentum cycled (0.95 → 0.85 → 0.95) over the run
            optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9,
                                        weight_decay=5e-4)
            schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr,
                                                           total_steps=steps)
        elif opt == "adamw-cosine":  # decay on matrices only, as descent's default groups
            matrices = [p for p in model.parameters() if p.dim() >= 2]
            others = [p for p in model.parameters() if p.dim() < 2]
            optimizer = torch.optim.AdamW([{"params": matrices, "weight_decay": 0.1},
                                           {"params": others, "weight_decay": 0.0}],
                                          lr=lr, betas=(0.9, 0.99), eps=1e-8)
            schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, keras_cosine(lr, steps))
        else:
            optimizer = torch.optim.SGD(model.parameters(), lr=lr,
                                        momentum=0.9 if opt == "sgd-momentum" else 0.0)
        result["epoch_seconds"] = train(model, optimizer, x, y, batch, epochs, schedule)
        result["test_accuracy"], result["test_loss"] = evaluate(model, tx, ty)
        result["steps"] = steps
    result["total_seconds"] = time.perf_counter() - start
    result["peak_rss_mib"] = peak_rss_mib()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
