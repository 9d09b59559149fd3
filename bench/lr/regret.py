#!/usr/bin/env python3
"""The tune-regret benchmark: how close `descent tune` gets to the best η, against every known
range-test rule, the optimizer's default η and the learning-rate-free optimizers
(docs/lr-benchmark.md explains every figure).

For each task an oracle trains a full run at each η of a log grid (the schedule `tune`'s final
run uses: OneCycleLR peaking at η) over several seeds; the oracle's best is the lowest mean test
loss. Each contender trains with the same seeds and is scored by its mean test loss:
regret = (loss − oracle best) / max(oracle best, 0.1), with the accuracy it loses in points and
its compute in training runs (optimizer steps / the steps of one run).

    bench/lr/regret.py [--quick] [--tasks a,b] [--seeds 3] [--jobs 2] [--out DIR] [--descent PATH]
                       [--tune-flags '--suggest steep']
    bench/lr/regret.py --self-test     # the rules and the formula on synthetic curves (CI)

Python 3 standard library only; it drives the descent binary (--json) in subprocesses, one thread
each, --jobs at a time. Finished runs are cached under DIR/cache, so a second run of the command
only runs what is missing. The scikit-learn sets are exported once into DIR/data by
scripts/export_sklearn_datasets.py (Debian's /usr/bin/python3 with python3-sklearn).
"""
import argparse
import concurrent.futures
import glob
import gzip
import hashlib
import json
import math
import os
import shlex
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import range_test_rules as rules  # noqa: E402

FASHION_MNIST = "/usr/share/datasets/fashion-mnist"
LR_FREE = ["dog", "prodigy", "dadapt_sgd", "dadapt_adam", "sgd_schedule_free",
           "adamw_schedule_free"]
VALIDATION_SPLIT = 0.1  # tune's default: the oracle and every contender train on the same rows
REGRET_FLOOR = 0.1


class Task:
    """One model, data set and optimizer with its training budget."""

    def __init__(self, name, data, model, optimizer, epochs, batch_size, grid, default_lr,
                 train_samples, note):
        self.name = name
        self.data = data  # descent flags; {data} is the benchmark's data directory
        self.model = model
        self.optimizer = optimizer  # e.g. ["--optimizer", "sgd", "--momentum", "0.9"]
        self.epochs = epochs
        self.batch_size = batch_size
        self.grid = grid  # (lowest, highest) η of the oracle's grid
        self.default_lr = default_lr
        self.train_samples = train_samples  # before the validation split
        self.note = note

    def steps_per_run(self):
        """Optimizer steps of one training run: the first floor(n (1 − split)) rows train."""
        rows = math.floor(self.train_samples * (1 - VALIDATION_SPLIT))
        return self.epochs * math.ceil(rows / self.batch_size)


SGD = ["--optimizer", "sgd", "--momentum", "0.9"]
ADAM = ["--optimizer", "adam"]
ADAMW = ["--optimizer", "adamw"]
FASHION_SUBSET = (10000, 2000)  # train, test images: the first ones of each file
FORTUNES = "/usr/share/games/fortunes"
TEXT_CHARACTERS = 120000  # the first ones of `--data text`'s corpus (Debian's fortunes)


def csv_data(name):
    return ["--data", f"{{data}}/{name}_train.csv", "--test", f"{{data}}/{name}_test.csv",
            "--scale", "standard"]


TASKS = [
    Task("fmnist-mlp-sgd", ["--data", "{data}/fashion-mnist-10k"], "mlp:128", SGD, 4, 64,
         (1e-3, 10), 0.01, 10000, "Fashion-MNIST, first 10,000 / 2,000 images"),
    Task("fmnist-mlp-adam", ["--data", "{data}/fashion-mnist-10k"], "mlp:128", ADAM, 4, 64,
         (1e-5, 0.1), 1e-3, 10000, "Fashion-MNIST, first 10,000 / 2,000 images"),
    Task("fmnist-cnn-sgd", ["--data", "{data}/fashion-mnist-10k"], "cnn", SGD, 1, 64,
         (1e-3, 10), 0.01, 10000, "Fashion-MNIST, first 10,000 / 2,000 images, descent's CNN"),
    Task("digits-adam", csv_data("digits"), "mlp:64", ADAM, 6, 32, (1e-4, 1), 1e-3, 1438,
         "scikit-learn digits, 8×8 images"),
    Task("digits-residual-sgd", csv_data("digits"), os.path.join(HERE, "residual_mlp.json"), SGD,
         6, 32, (1e-3, 10), 0.01, 1438, "digits, a residual MLP (functional graph)"),
    Task("breast-cancer-sgd", csv_data("breast_cancer"), "mlp:32", SGD, 10, 16, (1e-3, 10), 0.01,
         455, "scikit-learn breast cancer, 2 classes"),
    Task("wine-adam", csv_data("wine"), "mlp:32", ADAM, 30, 16, (1e-4, 1), 1e-3, 142,
         "scikit-learn wine, 3 classes, 128 training rows"),
    Task("diabetes-adam", csv_data("diabetes"), "mlp:32", ADAM, 20, 16, (1e-4, 1), 1e-3, 354,
         "scikit-learn diabetes regression (target standardized), mean squared error"),
    Task("moons-sgd", ["--data", "moons", "--scale", "standard"], "mlp:16,16", SGD, 4, 32,
         (1e-3, 10), 0.01, 2000, "two moons, 2,000 / 1,000 points"),
    Task("spirals-adam", ["--data", "spirals", "--scale", "standard"], "mlp:64,64", ADAM, 6, 32,
         (1e-4, 1), 1e-3, 2000, "two spirals, 2,000 / 1,000 points"),
    Task("tutorial-adam", ["--data", "tutorial", "--scale", "standard"], "mlp:16,32", ADAM, 2, 10,
         (1e-4, 1), 1e-3, 2100, "the Keras tutorial's drug-trial set and model"),
    Task("fmnist-resnet-sgd", ["--data", "{data}/fashion-mnist-10k"], "resnet:16,32,64:blocks=1",
         SGD, 1, 64, (1e-3, 10), 0.01, 10000,
         "Fashion-MNIST, first 10,000 / 2,000 images, the one-block ResNet (a ResNet-8)"),
    # 120,000 characters: 108,000 train (3,375 windows of 32), the last 12,000 are the test text.
    Task("fortunes-gpt-adamw", ["--data", "text:{data}/fortunes-120k.txt"],
         "gpt:layers=2,heads=2,dim=32,context=32", ADAMW, 4, 32, (1e-4, 1), 1e-3, 3375,
         "the first 120,000 characters of Debian's fortunes, a 2-layer character GPT"),
]
QUICK_TASKS = ["moons-sgd", "wine-adam", "breast-cancer-sgd"]

# The rules read off tune's range test, each followed by one full run: descent's three, then
# fastai's valley, torch-lr-finder's steepest gradient and Lightning's suggestion.
RULE_CONTENDERS = ["valley", "steep", "minimum", "fastai", "torch-lr-finder", "lightning"]


# ---------------------------------------------------------------------------------------------
# Scores


def regret(loss, best):
    """(loss − best) / max(best, 0.1): relative to the best loss, in absolute terms below 0.1 where
    a relative figure would blow small differences up."""
    if loss is None or not math.isfinite(loss):
        return math.inf
    return (loss - best) / max(best, REGRET_FLOOR)


def mean_or_none(values):
    """The mean over seeds; None (a diverged or failed run) where any seed has none."""
    if not values or any(v is None or not math.isfinite(v) for v in values):
        return None
    return statistics.fmean(values)


def log_grid(low, high, points):
    return [low * (high / low) ** (i / (points - 1)) for i in range(points)]


# ---------------------------------------------------------------------------------------------
# Data


def write_idx_subset(source, target, name, count):
    """The first `count` items of a gzipped IDX file, written uncompressed."""
    with gzip.open(os.path.join(source, name + ".gz"), "rb") as f:
        magic, n = struct.unpack(">II", f.read(8))
        dims = magic & 0xFF
        shape = struct.unpack(">" + "I" * (dims - 1), f.read(4 * (dims - 1)))
        item = math.prod(shape)
        body = f.read(item * min(count, n))
    with open(os.path.join(target, name), "wb") as f:
        f.write(struct.pack(">II", magic, min(count, n)))
        f.write(struct.pack(">" + "I" * (dims - 1), *shape))
        f.write(body)


def write_text_prefix(corpus, target, characters):
    """The first `characters` of the corpus as `--data text` reads it: its files but the fortune
    program's .dat and .u8 indexes, concatenated in name order."""
    text = ""
    for name in sorted(os.listdir(corpus)):
        path = os.path.join(corpus, name)
        if os.path.isfile(path) and not name.endswith((".dat", ".u8")):
            with open(path, encoding="utf-8") as f:
                text += f.read()
        if len(text) >= characters:
            break
    with open(target + ".tmp", "w", encoding="utf-8") as f:
        f.write(text[:characters])
    os.rename(target + ".tmp", target)


def prepare_data(data_dir, tasks):
    os.makedirs(data_dir, exist_ok=True)
    fashion = os.path.join(data_dir, "fashion-mnist-10k")
    if any("fashion-mnist-10k" in " ".join(t.data) for t in tasks) and not os.path.isdir(fashion):
        os.makedirs(fashion + ".tmp", exist_ok=True)
        n_train, n_test = FASHION_SUBSET
        for name, count in [("train-images-idx3-ubyte", n_train),
                            ("train-labels-idx1-ubyte", n_train),
                            ("t10k-images-idx3-ubyte", n_test), ("t10k-labels-idx1-ubyte", n_test)]:
            write_idx_subset(FASHION_MNIST, fashion + ".tmp", name, count)
        os.rename(fashion + ".tmp", fashion)
    text = os.path.join(data_dir, "fortunes-120k.txt")
    if any("fortunes-120k" in " ".join(t.data) for t in tasks) and not os.path.exists(text):
        write_text_prefix(FORTUNES, text, TEXT_CHARACTERS)
    if any("_train.csv" in " ".join(t.data) for t in tasks) and not os.path.exists(
            os.path.join(data_dir, "diabetes_test.csv")):
        exporter = os.path.join(ROOT, "scripts", "export_sklearn_datasets.py")
        subprocess.run(["/usr/bin/python3", exporter, data_dir], check=True,
                       stdout=subprocess.DEVNULL)


# ---------------------------------------------------------------------------------------------
# Runs


class Runner:
    """Runs descent commands --jobs at a time and caches each result by its command."""

    def __init__(self, descent, out, jobs):
        self.descent = descent
        self.out = out
        self.jobs = jobs
        self.cache = os.path.join(out, "cache")
        self.scratch = os.path.join(out, "scratch")
        os.makedirs(self.cache, exist_ok=True)
        os.makedirs(self.scratch, exist_ok=True)
        self.done = 0
        self.total = 0
        self.started = time.time()

    def run_all(self, jobs):
        """jobs: {key: (args, parse)}; returns {key: parsed result}. A cached result is reused."""
        results, todo = {}, []
        for key, (args, parse) in jobs.items():
            path = os.path.join(self.cache, key + ".json")
            cached = None
            if os.path.exists(path):
                with open(path) as f:
                    cached = json.load(f)
            # A task whose settings changed since gets its runs again.
            if cached and self.same_run(cached.get("command", ""), args, key):
                results[key] = cached
            else:
                todo.append((key, args, parse))
        self.done, self.total = 0, len(todo)
        # The longest first (tune runs several stages), so that the pool ends together.
        todo.sort(key=lambda job: job[1][0] != "tune")
        with concurrent.futures.ThreadPoolExecutor(max_workers=self.jobs) as pool:
            futures = {pool.submit(self.run_one, *job): job[0] for job in todo}
            for future in concurrent.futures.as_completed(futures):
                results[futures[future]] = future.result()
        return results

    def same_run(self, cached_command, args, key):
        """Whether a cached command line is this job's, up to the output directory it ran under
        (its --out is OUT/scratch/KEY), so that a cache copied to another --out still serves."""
        suffix = os.sep + os.path.join("scratch", key)
        if not cached_command.endswith(suffix):
            return False
        cached_out = cached_command.rsplit(" --out ", 1)[-1][: -len(suffix)]
        command = " ".join(args + self.fixed_flags(key))
        return cached_command.replace(cached_out, "{out}") == command.replace(self.out, "{out}")

    def fixed_flags(self, key):
        """One thread a process (--jobs run side by side), JSON out, and a scratch run directory."""
        return ["--threads", "1", "--json", "--quiet", "--out", os.path.join(self.scratch, key)]

    def run_one(self, key, args, parse):
        run_dir = os.path.join(self.scratch, key)
        shutil.rmtree(run_dir, ignore_errors=True)
        command = [self.descent] + args + self.fixed_flags(key)
        start = time.time()
        proc = subprocess.run(command, capture_output=True, text=True)
        seconds = time.time() - start
        printed = None
        for line in reversed(proc.stdout.strip().splitlines()):
            try:
                printed = json.loads(line)
                break
            except json.JSONDecodeError:
                continue
        result = parse(printed, run_dir, proc.returncode)
        result.update({"returncode": proc.returncode, "seconds": round(seconds, 2),
                       "command": " ".join(command[1:])})
        if proc.returncode not in (0, 5):  # 5: diverged, a result like any other
            result["error"] = proc.stderr.strip().splitlines()[-1:] or ["(no message)"]
        shutil.rmtree(run_dir, ignore_errors=True)
        with open(os.path.join(self.cache, key + ".json"), "w") as f:
            json.dump(result, f)
        self.done += 1
        elapsed = time.time() - self.started
        print(f"[{self.done}/{self.total}] {key} ({seconds:.1f} s, {elapsed / 60:.1f} min in all)",
              file=sys.stderr, flush=True)
        return result


def job_key(*parts):
    text = "|".join(str(p) for p in parts)
    return "-".join(str(p) for p in parts[:2]) + "-" + hashlib.sha1(text.encode()).hexdigest()[:12]


def final_figures(results):
    """Test loss and accuracy of a run's results (train's --json, or tune's `final`)."""
    if not results:
        return {"test_loss": None, "test_accuracy": None}
    test = results.get("test") or {}
    loss = test.get("loss")
    return {"test_loss": loss if isinstance(loss, (int, float)) else None,
            "test_accuracy": test.get("accuracy")}


def parse_train(printed, run_dir, returncode):
    return final_figures(printed)


def parse_tune(printed, run_dir, returncode):
    """The final run's figures, the chosen η, and the range test's curve and suggestions (read
    before the run directory is removed) for the rules applied to it afterwards."""
    out = final_figures(printed.get("final") if printed else None)
    finder = os.path.join(run_dir, "find-lr", "lr_finder.json")
    if os.path.exists(finder):
        with open(finder) as f:
            found = json.load(f)
        out["curve"] = {k: found["curve"][k] for k in ("lr", "loss", "smoothed")}
        out["suggestions"] = {rule: s.get("lr") for rule, s in found.get("suggestions", {}).items()}
        out["suggestions"]["suggested"] = found.get("suggested", {}).get("lr")
        out["finder_iters"] = found.get("options", {}).get("iters")
    # The sweep, and with successive halving (--sweep-rungs) each later rung in sweep/rung-N.
    sweeps = [os.path.join(run_dir, "sweep", "sweep.json")] + sorted(
        glob.glob(os.path.join(run_dir, "sweep", "rung-*", "sweep.json")))
    for sweep in filter(os.path.exists, sweeps):
        with open(sweep) as f:
            swept = json.load(f)
        # A run the divergence guard stopped early counts the steps it took.
        out["sweep_steps"] = out.get("sweep_steps", 0) + sum(
            len(r["history"]["steps"]["step"]) for r in swept["runs"])
    if printed:
        out["chosen_lr"] = printed.get("chosen_lr")
        out["sweep_lrs"] = printed.get("sweep", {}).get("lrs")
    return out


def common_flags(task, seed):
    flags = []
    for arg in task.data:
        flags.append(arg.replace("{data}", DATA_DIR[0]))
    return flags + ["--model", task.model, "--epochs", str(task.epochs),
                    "--batch-size", str(task.batch_size),
                    "--validation-split", str(VALIDATION_SPLIT), "--seed", str(seed)]


def onecycle_train(task, seed, lr):
    """A full run at peak η `lr` with the schedule of tune's final run: its `onecycle` preset is
    OneCycleLR with max_lr = η and PyTorch's defaults over the run's steps
    (optim/schedule/schedule_presets.cpp), cycling the momentum, which SGD with momentum and Adam
    (β1) both have."""
    return (["train"] + common_flags(task, seed) + task.optimizer +
            ["--lr", repr(lr), "--schedule", "OneCycleLR", "--schedule-param", f"max_lr={lr!r}"],
            parse_train)


DATA_DIR = [""]  # set by main: where prepare_data put the sets
TUNE_FLAGS = []  # set by main (--tune-flags): a variant of tune to measure


def tune_key(task, seed):
    """The cache key of a tune run: a variant (--tune-flags) has its own."""
    return job_key(task.name, "tune", seed, *TUNE_FLAGS)


def phase_one_jobs(task, seeds, grid_points):
    """The oracle's grid, tune, the default η and the untuned learning-rate-free optimizers."""
    jobs = {}
    for seed in seeds:
        for lr in log_grid(*task.grid, grid_points):
            jobs[job_key(task.name, "oracle", seed, f"{lr:.6g}")] = onecycle_train(task, seed, lr)
        jobs[tune_key(task, seed)] = (
            ["tune"] + common_flags(task, seed) + task.optimizer + ["--parallel", "1"] + TUNE_FLAGS,
            parse_tune)
        jobs[job_key(task.name, "default", seed)] = onecycle_train(task, seed, task.default_lr)
        for name in LR_FREE:
            jobs[job_key(task.name, name, seed)] = (
                ["train"] + common_flags(task, seed) + ["--optimizer", name], parse_train)
    return jobs


def rule_lrs(tune_result):
    """Each rule's η on the range-test curve of one tune run (None where a rule gives none)."""
    curve = tune_result.get("curve")
    if not curve:
        return {name: None for name in RULE_CONTENDERS}
    lrs = curve["lr"]
    nan = float("nan")
    raw = [nan if v is None else v for v in curve["loss"]]
    smoothed = [nan if v is None else v for v in curve["smoothed"]]
    suggestions = tune_result.get("suggestions", {})
    return {
        "valley": suggestions.get("valley"),
        "steep": suggestions.get("steep"),
        "minimum": suggestions.get("minimum"),
        "fastai": rules.fastai_valley(lrs, smoothed, tune_result.get("finder_iters") or len(lrs)),
        "torch-lr-finder": rules.torch_lr_finder_steepest(
            lrs, rules.torch_lr_finder_smoothing(raw)),
        "lightning": rules.lightning_suggestion(lrs, smoothed),
    }


def phase_two_jobs(task, seeds, tune_results):
    """A full run at each rule's η, read off that seed's range test."""
    jobs, chosen = {}, {}
    for seed in seeds:
        for name, lr in rule_lrs(tune_results[seed]).items():
            chosen[(name, seed)] = lr
            if lr is not None:
                jobs[job_key(task.name, name, seed, f"{lr:.9g}")] = onecycle_train(task, seed, lr)
    return jobs, chosen


# ---------------------------------------------------------------------------------------------
# Scoring


def geometric_mean(values):
    known = [v for v in values if v]
    return math.exp(statistics.fmean(math.log(v) for v in known)) if known else None


def score_task(task, seeds, grid_points, runs, chosen):
    """The oracle's grid and every contender's mean test loss, regret, accuracy and compute."""
    steps = task.steps_per_run()
    grid = []
    for lr in log_grid(*task.grid, grid_points):
        per_seed = [runs[job_key(task.name, "oracle", s, f"{lr:.6g}")] for s in seeds]
        losses = [r["test_loss"] for r in per_seed]
        grid.append({"lr": lr, "test_loss": mean_or_none(losses),
                     "test_accuracy": mean_or_none([r["test_accuracy"] for r in per_seed]),
                     # The standard error of the mean over the seeds: how far the mean itself
                     # moves with other seeds (regret below about twice it is noise).
                     "standard_error": (statistics.stdev(losses) / math.sqrt(len(losses))
                                        if len(losses) > 1 and mean_or_none(losses) is not None
                                        else None)})
    finite = [g for g in grid if g["test_loss"] is not None]
    best = min(finite, key=lambda g: g["test_loss"])
    contenders = {}

    def add(name, per_seed, extra_steps, lrs):
        loss = mean_or_none([r["test_loss"] if r else None for r in per_seed])
        accuracy = mean_or_none([r["test_accuracy"] if r else None for r in per_seed])
        points = (None if accuracy is None or best["test_accuracy"] is None
                  else 100 * (best["test_accuracy"] - accuracy))
        contenders[name] = {"test_loss": loss, "regret": regret(loss, best["test_loss"]),
                            "accuracy_points": points, "compute": 1 + extra_steps / steps,
                            "lr": geometric_mean(lrs),
                            "errors": [r.get("error") for r in per_seed if r and r.get("error")]}

    tunes = [runs[tune_key(task, s)] for s in seeds]
    finder_steps = statistics.fmean(len(t.get("curve", {}).get("lr", [])) for t in tunes)
    sweep_steps = statistics.fmean(t.get("sweep_steps", 0) for t in tunes)
    add("tune", tunes, finder_steps + sweep_steps, [t.get("chosen_lr") for t in tunes])
    for name in RULE_CONTENDERS:
        per_seed = [runs.get(job_key(task.name, name, s, f"{chosen[(name, s)]:.9g}"))
                    if chosen[(name, s)] is not None else None for s in seeds]
        add(name, per_seed, finder_steps, [chosen[(name, s)] for s in seeds])
    add("default", [runs[job_key(task.name, "default", s)] for s in seeds], 0,
        [task.default_lr])
    for name in LR_FREE:
        add(name, [runs[job_key(task.name, name, s)] for s in seeds], 0, [])
    return {"task": task.name, "note": task.note, "model": os.path.basename(task.model),
            "optimizer": " ".join(task.optimizer[1:]), "epochs": task.epochs,
            "batch_size": task.batch_size, "steps_per_run": steps, "grid": grid,
            "oracle": {"lr": best["lr"], "test_loss": best["test_loss"],
                       "noise": ((best["standard_error"] or 0)
                                 / max(best["test_loss"], REGRET_FLOOR)),
                       "test_accuracy": best["test_accuracy"],
                       "at_grid_edge": best is grid[0] or best is grid[-1]},
            "tune_detail": [{"chosen_lr": t.get("chosen_lr"), "sweep_lrs": t.get("sweep_lrs"),
                             "suggested": (t.get("suggestions") or {}).get("suggested"),
                             "finder_steps": len(t.get("curve", {}).get("lr", []))} for t in tunes],
            "contenders": contenders}


def summarize(scored):
    """Median and worst regret of each contender over the tasks, and how often tune beats it."""
    names = list(scored[0]["contenders"])
    summary = {}
    for name in names:
        regrets = [t["contenders"][name]["regret"] for t in scored]
        tune = [t["contenders"]["tune"]["regret"] for t in scored]
        summary[name] = {
            "median": statistics.median(regrets), "worst": max(regrets),
            "compute": statistics.fmean(t["contenders"][name]["compute"] for t in scored),
            "tune_better": sum(a < b for a, b in zip(tune, regrets)),
            "tune_tied": sum(a == b for a, b in zip(tune, regrets)),
        }
    return summary


# ---------------------------------------------------------------------------------------------
# Output


def percent(value):
    if value is None:
        return "-"
    if not math.isfinite(value):
        return "fail"
    if value > 10:
        return ">1000"
    return f"{100 * value:.1f}"


def markdown_tables(scored, summary):
    names = list(scored[0]["contenders"])
    head = "| task | oracle η | oracle loss | noise | " + " | ".join(names) + " |"
    rule = "| --- " * (len(names) + 4) + "|"
    lines = ["Regret in % of the oracle's best mean test loss (lower is better; fail: diverged "
             "or no suggestion):", "", head, rule]
    for t in scored:
        edge = " (edge)" if t["oracle"]["at_grid_edge"] else ""
        lines.append(f"| {t['task']} | {t['oracle']['lr']:.3g}{edge} | "
                     f"{t['oracle']['test_loss']:.4f} | "
                     f"{percent(t['oracle']['noise'])} | "
                     + " | ".join(percent(t["contenders"][n]["regret"]) for n in names) + " |")
    summary_row = "| **{}** | | | | " + "{} |"
    lines.append(summary_row.format(
        "median", " | ".join(percent(summary[n]["median"]) for n in names)))
    lines.append(summary_row.format(
        "worst", " | ".join(percent(summary[n]["worst"]) for n in names)))
    lines.append("| **tune better / tied** | | | | " + " | ".join(
        "-" if n == "tune" else f"{summary[n]['tune_better']} / {summary[n]['tune_tied']}"
        for n in names) + " |")
    lines.append(summary_row.format(
        "compute (runs)", " | ".join(f"{summary[n]['compute']:.2f}" for n in names)))
    lines += ["", "Test accuracy lost against the oracle's best η, in points (negative: better):",
              "", "| task | oracle acc % | " + " | ".join(names) + " |",
              "| --- " * (len(names) + 2) + "|"]
    for t in scored:
        if t["oracle"]["test_accuracy"] is None:
            continue
        cells = []
        for n in names:
            p = t["contenders"][n]["accuracy_points"]
            cells.append("fail" if p is None else f"{p:.1f}")
        lines.append(f"| {t['task']} | {100 * t['oracle']['test_accuracy']:.1f} | "
                     + " | ".join(cells) + " |")
    rule_names = ["tune"] + list(RULE_CONTENDERS)
    lines += ["", "η chosen (geometric mean over the seeds) against the oracle's:", "",
              "| task | oracle | " + " | ".join(rule_names) + " |",
              "| --- " * (len(rule_names) + 2) + "|"]
    for t in scored:
        cells = [f"{t['contenders'][n]['lr']:.3g}" if t["contenders"][n]["lr"] else "-"
                 for n in rule_names]
        lines.append(f"| {t['task']} | {t['oracle']['lr']:.3g} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


COLORS = {"tune": "#d62728", "valley": "#1f77b4", "steep": "#aec7e8", "minimum": "#17becf",
          "fastai": "#2ca02c", "torch-lr-finder": "#98df8a", "lightning": "#9467bd",
          "default": "#7f7f7f"}


def svg_chart(scored, limit=0.3):
    """Regret per task (rows) and contender (dots), on a square-root axis from 0 to `limit`; a dot
    past it (or a failure) sits on the right edge as an open circle, one below 0 (better than the
    grid's best) on 0. tune is drawn last, on top."""
    names = [n for n in scored[0]["contenders"] if n != "tune"] + ["tune"]
    left, top, width, row = 170, 40, 560, 24
    height = top + row * len(scored) + 30
    total = left + width + 180
    x = lambda r: left + width * math.sqrt(max(0.0, min(r, limit)) / limit)  # noqa: E731
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="{height}" '
           'font-family="sans-serif" font-size="12">',
           f'<rect width="{total}" height="{height}" fill="white"/>',
           f'<text x="{left}" y="20" font-size="14">Regret per task: mean test loss over the '
           "oracle's best (square-root axis)</text>"]
    for tick in [0, 0.01, 0.05, 0.1, 0.2, 0.3]:
        out.append(f'<line x1="{x(tick):.1f}" y1="{top}" x2="{x(tick):.1f}" '
                   f'y2="{top + row * len(scored)}" stroke="#ddd"/>')
        out.append(f'<text x="{x(tick):.1f}" y="{top + row * len(scored) + 16}" '
                   f'text-anchor="middle">{100 * tick:g}%</text>')
    for i, t in enumerate(scored):
        y = top + row * i + row / 2
        out.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{t["task"]}</text>')
        for n in names:
            r = t["contenders"][n]["regret"]
            color = COLORS.get(n, "#bcbd22")
            radius = 6 if n == "tune" else 4
            if r > limit:
                out.append(f'<circle cx="{x(limit):.1f}" cy="{y:.1f}" r="{radius}" fill="none" '
                           f'stroke="{color}"/>')
            else:
                out.append(f'<circle cx="{x(r):.1f}" cy="{y:.1f}" r="{radius}" fill="{color}" '
                           'fill-opacity="0.8"/>')
    legend = ["tune"] + [n for n in names if n in COLORS and n != "tune"] + ["learning-rate-free"]
    for j, n in enumerate(legend):
        ly = top + 14 * j
        out.append(f'<circle cx="{left + width + 20}" cy="{ly}" r="4" '
                   f'fill="{COLORS.get(n, "#bcbd22")}"/>')
        out.append(f'<text x="{left + width + 30}" y="{ly + 4}">{n}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def without_inf(value):
    """JSON has no infinity: a failed contender's regret becomes null. Floats keep 6 significant
    digits, which keeps the file small enough to commit beside the doc."""
    if isinstance(value, float):
        return float(f"{value:.6g}") if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: without_inf(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_inf(v) for v in value]
    return value


# ---------------------------------------------------------------------------------------------
# Self-test: the re-implemented rules on curves with known answers, and the formula (CI).


def self_test():
    lrs = [1e-7 * 10 ** (8 * i / 99) for i in range(100)]
    # Flat at 1 up to step 20, falling 0.01 a step to step 80, rising after.
    valley_curve = [1.0 if i <= 20 else 1 - (i - 20) / 100 if i <= 80 else 0.4 + (i - 80) / 10
                    for i in range(100)]
    # fastai keeps steps 10 to 94; the longest decreasing run is steps 20..80 (61 points, its
    # length counted from the flat point before it: max_start = 70 − 61 = 9 in the kept list, i.e.
    # step 19), and the answer is 61 // 3 + 61 / 3 // 2 = 20 + 10 steps further: step 49.
    assert rules.fastai_valley(lrs, valley_curve, 100) == lrs[49], "fastai valley"
    assert rules.fastai_valley(lrs[:10], valley_curve[:10], 100) is None, "fastai valley, too short"
    # A sigmoid fall centred on step 50: the steepest per-step gradient is there.
    sigmoid = [2 - 1 / (1 + math.exp(-(i - 50) / 4)) for i in range(100)]
    assert rules.torch_lr_finder_steepest(lrs, sigmoid) == lrs[50], "torch-lr-finder steepest"
    assert rules.lightning_suggestion(lrs, sigmoid) == lrs[50], "lightning suggestion"
    # Centred on step 95: torch-lr-finder cuts the last 5 points and takes the last one it keeps,
    # Lightning cuts only the last and finds the true steepest.
    late = [2 - 1 / (1 + math.exp(-(i - 95) / 2)) for i in range(100)]
    assert rules.torch_lr_finder_steepest(lrs, late) == lrs[94], "torch-lr-finder end cut"
    assert rules.lightning_suggestion(lrs, late) == lrs[95], "lightning end cut"
    assert rules.lightning_suggestion(lrs[:12], sigmoid[:12]) is None, "lightning, too short"
    # torch-lr-finder's smoothing: the first loss as is, then 5% of each new one; it stops after
    # the first loss above 5 × the best.
    smoothed = rules.torch_lr_finder_smoothing([2.0, 1.0, 1.0])
    assert smoothed == [2.0, 0.05 * 1 + 0.95 * 2.0, 0.05 * 1 + 0.95 * (0.05 + 1.9)], "smoothing"
    # A jump from 1 to 20: 1.95, 2.85, 3.71, 4.52, 5.30; the last is the first above 5.
    assert len(rules.torch_lr_finder_smoothing([1.0] + [20.0] * 10)) == 6, "divergence stop"
    assert all(abs(v - 3) < 1e-12 for v in rules.debiased_ema([3.0] * 5)), "debiased EMA"
    assert rules.gradient([0.0, 1.0, 4.0]) == [1.0, 2.0, 3.0], "numpy.gradient"
    # Regret: relative to the best, with the floor 0.1 below it; a failed run is infinitely bad.
    assert abs(regret(0.55, 0.5) - 0.1) < 1e-12, "regret"
    assert abs(regret(0.05, 0.04) - 0.1) < 1e-12, "regret floor"
    assert regret(None, 0.5) == math.inf and regret(float("nan"), 0.5) == math.inf, "regret fail"
    assert mean_or_none([1.0, None]) is None and mean_or_none([1.0, 3.0]) == 2.0, "seed mean"
    grid = log_grid(1e-3, 10, 13)
    assert len(grid) == 13 and abs(grid[0] - 1e-3) < 1e-15 and abs(grid[-1] - 10) < 1e-12, "grid"
    assert abs(grid[3] / grid[0] - 10) < 1e-9, "grid: 3 points a decade"
    # tune's compute counts the sweep's runs and those of every halving rung (sweep/rung-N/).
    with tempfile.TemporaryDirectory() as run_dir:
        for sub, lengths in (("sweep", [10, 10, 4]), ("sweep/rung-1", [30])):
            os.makedirs(os.path.join(run_dir, sub))
            with open(os.path.join(run_dir, sub, "sweep.json"), "w") as f:
                json.dump({"runs": [{"history": {"steps": {"step": list(range(n))}}}
                                    for n in lengths]}, f)
        assert parse_tune(None, run_dir, 0)["sweep_steps"] == 54, "sweep steps of every rung"
    print("regret.py self-test: ok")


# ---------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"smoke run: tasks {','.join(QUICK_TASKS)}, 2 seeds, 7-point grid")
    parser.add_argument("--tasks", help="comma-separated task names (default: all)")
    parser.add_argument("--seeds", type=int, help="seeds 1..N (default 3; --quick 2)")
    parser.add_argument("--grid-points", type=int,
                        help="η values of the oracle's grid (default 13)")
    parser.add_argument("--jobs", type=int, default=2, help="descent processes at once")
    parser.add_argument("--out", default=os.path.join(ROOT, "runs", "lr-benchmark"),
                        help="output directory (cache, results.json, table.md, regret.svg)")
    parser.add_argument("--descent", default=os.path.join(ROOT, "build", "descent"),
                        help="the descent binary")
    parser.add_argument("--tune-flags", default="",
                        help="extra flags for every tune run, e.g. '--suggest steep': a variant to "
                             "measure against the cached oracle and contenders")
    parser.add_argument("--self-test", action="store_true", help="check the rules and the formula")
    args = parser.parse_args()
    if args.self_test:
        self_test()
        return
    known = [t.name for t in TASKS]
    names = args.tasks.split(",") if args.tasks else QUICK_TASKS if args.quick else known
    unknown = [n for n in names if n not in known]
    if unknown:
        parser.error(f"unknown task(s) {', '.join(unknown)}; known: {', '.join(known)}")
    tasks = [t for t in TASKS if t.name in names]
    seeds = list(range(1, (args.seeds or (2 if args.quick else 3)) + 1))
    grid_points = args.grid_points or (7 if args.quick else 13)
    if grid_points < 2 or args.jobs < 1 or not seeds:
        parser.error("--grid-points must be >= 2, --jobs and --seeds >= 1")
    if not os.access(args.descent, os.X_OK):
        parser.error(f"{args.descent} is not an executable "
                     "(build it: cmake --build build --target descent)")
    TUNE_FLAGS[:] = shlex.split(args.tune_flags)
    out = os.path.abspath(args.out)
    DATA_DIR[0] = os.path.join(out, "data")
    prepare_data(DATA_DIR[0], tasks)
    runner = Runner(os.path.abspath(args.descent), out, args.jobs)

    jobs = {}
    for task in tasks:
        jobs.update(phase_one_jobs(task, seeds, grid_points))
    print(f"Phase 1: {len(jobs)} runs (oracle grid, tune, default η, learning-rate-free)",
          file=sys.stderr)
    runs = runner.run_all(jobs)
    rule_jobs, chosen = {}, {}
    for task in tasks:
        tune_results = {s: runs[tune_key(task, s)] for s in seeds}
        task_jobs, task_chosen = phase_two_jobs(task, seeds, tune_results)
        rule_jobs.update(task_jobs)
        chosen.update({(task.name,) + k: v for k, v in task_chosen.items()})
    print(f"Phase 2: {len(rule_jobs)} runs at the rules' η", file=sys.stderr)
    runs.update(runner.run_all(rule_jobs))

    scored = [score_task(task, seeds, grid_points, runs,
                         {k[1:]: v for k, v in chosen.items() if k[0] == task.name})
              for task in tasks]
    summary = summarize(scored)
    table = markdown_tables(scored, summary)
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(without_inf({"seeds": seeds, "grid_points": grid_points, "tune_flags": TUNE_FLAGS,
                               "tasks": scored,
                               "summary": summary}), f, separators=(",", ":"))
    with open(os.path.join(out, "table.md"), "w") as f:
        f.write(table)
    with open(os.path.join(out, "regret.svg"), "w") as f:
        f.write(svg_chart(scored))
    print(table)
    print(f"Wrote {out}/results.json, table.md, regret.svg", file=sys.stderr)


if __name__ == "__main__":
    main()
