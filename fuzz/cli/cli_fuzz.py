#!/usr/bin/env python3
"""Command-line fuzzer for descent (docs/fuzzing.md).

Runs `descent SUBCOMMAND ...` with flag values drawn from a table of extremes and garbage
(fuzz/cli/values.txt), one flag at a time and in random combinations, each invocation in its own
scratch directory under an address-space limit and a time limit. An invocation passes when it ends
by itself with an exit code of docs/cli.md other than 1 (an internal error is a bug), and, when it
fails, with at most three lines on standard error and no file left behind: no temporary file of an
atomic write, no run directory or output file half-written. Every failure prints the exact command
to reproduce it. The flags come from each subcommand's --help, so a new flag is fuzzed without
editing anything. Standard library only.
"""

import argparse
import collections
import os
import random
import re
import resource
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ALLOWED_EXIT = {0, 2, 3, 4, 5}  # docs/cli.md; 1 is an internal error, a bug
MAX_ERROR_LINES = 3


def read_table(path):
    """The sections of values.txt: {"any": [...], "--model": [...], "base:train": [...]}."""
    sections = collections.defaultdict(list)
    current = None
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            match = re.fullmatch(r"\[(.+)\]", line)
            if match:
                current = match.group(1)
                continue
            sections[current].append("" if line == "<empty>" else line)
    return sections


def discover(descent):
    """{subcommand: {"options": {flag: type or None}, "positional": bool}} from --help."""
    top = subprocess.run([descent, "--help"], capture_output=True, text=True, timeout=30).stdout
    names = re.findall(r"^\s{2}([\w-]+)\s{2,}\S", top.split("Subcommands:")[-1], re.M)
    commands = {}
    for name in names:
        text = subprocess.run([descent, name, "--help"], capture_output=True, text=True,
                              timeout=30).stdout
        options = {}
        for flag, kind in re.findall(r"^\s+(?:-\w,)?(--[\w-]+)(?: (\w+))?", text, re.M):
            if flag not in ("--help", "--version"):
                options[flag] = kind or None
        commands[name] = {"options": options, "positional": "Positionals:" in text}
    return commands


def make_fixtures(directory, run_dir):
    """The @NAME paths of values.txt, created afresh in `directory` for each invocation (an
    invocation may write into them: --out @EMPTYDIR). Returns them and the socket to close."""
    def path(name, suffix=""):
        return os.path.join(directory, name.lower() + suffix)

    paths = {name: path(name) for name in ("DIR", "EMPTYDIR", "FIFO", "DEVZERO", "DEVNULL",
                                           "SOCKET", "MISSING", "UNREADABLE", "EMPTY", "GARBAGE")}
    os.makedirs(paths["DIR"])
    with open(os.path.join(paths["DIR"], "a.csv"), "w") as f:
        f.write("x,y\n1,0\n")
    os.makedirs(paths["EMPTYDIR"])
    os.mkfifo(paths["FIFO"])
    os.symlink("/dev/zero", paths["DEVZERO"])  # links: a rename over one cannot touch /dev
    os.symlink("/dev/null", paths["DEVNULL"])
    server = socket.socket(socket.AF_UNIX)
    server.bind(paths["SOCKET"])
    with open(paths["UNREADABLE"], "w") as f:
        f.write("a,b\n1,0\n")
    os.chmod(paths["UNREADABLE"], 0)
    open(paths["EMPTY"], "w").close()
    with open(paths["GARBAGE"], "wb") as f:
        f.write(random.Random(0).randbytes(4096))
    paths["CSV"] = path("CSV", ".csv")
    with open(paths["CSV"], "w") as f:
        f.write("a,b,label\n" + "".join(f"{i % 7 / 7:.3f},{i % 5 / 5:.3f},{i % 2}\n"
                                          for i in range(64)))
    paths["MODEL"] = path("MODEL", ".json")
    with open(paths["MODEL"], "w") as f:
        f.write('{"layers": [{"type": "Dense", "units": 4, "activation": "relu"},'
                ' {"type": "Dense", "units": 2}]}')
    paths["HUGEMODEL"] = path("HUGEMODEL", ".json")
    with open(paths["HUGEMODEL"], "w") as f:
        f.write('{"layers": [{"type": "Dense", "units": 1000000000}, {"type": "Dense", "units": 2}]}')
    paths["NPY"] = path("NPY", ".npy")  # version 1.0, float32, shape (4, 2), zeros
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (4, 2), }"
    header += " " * (64 - 10 - len(header) - 1) + "\n"
    with open(paths["NPY"], "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode())
        f.write(bytes(4 * 8))
    paths["RUN"] = path("RUN")
    shutil.copytree(run_dir, paths["RUN"])
    paths = {name: os.path.relpath(p, directory) for name, p in paths.items()}
    paths["LONG"] = "x" * 5000
    return paths, server


def substitute(value, fixtures):
    return fixtures.get(value[1:], value) if value.startswith("@") else value


def split_base(text):
    """'--a 1 --b --c 2 POS' -> (['POS'], {'--a': '1', '--b': None, '--c': '2'}) in order."""
    words = shlex.split(text)
    positional, flags, i = [], {}, 0
    while i < len(words):
        if words[i].startswith("-") and words[i] != "-":
            takes = i + 1 < len(words) and not words[i + 1].startswith("--")
            flags[words[i]] = words[i + 1] if takes else None
            i += 2 if takes else 1
        else:
            positional.append(words[i])
            i += 1
    return positional, flags


class Fuzzer:
    def __init__(self, args):
        self.args = args
        self.table = read_table(args.values)
        self.commands = discover(args.descent)
        self.rng = random.Random(args.seed)
        self.lock = threading.Lock()
        self.outcomes = collections.Counter()
        self.failures = []
        self.count = 0

    def candidates(self, command, flag):
        kind = self.commands[command]["options"][flag]
        return self.table["any"] + self.table.get(kind or "", []) + self.table.get(flag, [])

    def draw(self):
        """One invocation: (command, argument list with @NAMEs)."""
        command = self.rng.choice(sorted(self.commands))
        positional, flags = split_base(" ".join(self.table.get("base:" + command, [])))
        options = self.commands[command]["options"]
        for _ in range(1 if self.rng.random() < 0.6 else self.rng.randint(2, 4)):
            if self.commands[command]["positional"] and self.rng.random() < 0.1:
                value = self.rng.choice(self.table["any"])
                positional = [value] + positional[1:]
                continue
            flag = self.rng.choice(sorted(options))
            if options[flag] is None:  # a switch: given, or given a value it does not take
                flags[flag] = None if self.rng.random() < 0.8 else self.rng.choice(self.table["any"])
            else:
                flags[flag] = self.rng.choice(self.candidates(command, flag))
        argv = [command] + positional
        for flag, value in flags.items():
            argv += [flag] if value is None else [flag, value]
        return argv

    def run_one(self, argv, scratch, show=False):
        """Runs one invocation in a fresh directory; returns (exit code or None, problem or None)."""
        work = tempfile.mkdtemp(dir=scratch)
        fixtures, server = make_fixtures(work, self.run_dir)
        real = [self.args.descent] + [substitute(a, fixtures) for a in argv]
        limit = self.args.memory_mib * 1024 * 1024

        def limits():
            os.setsid()
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

        before = listing(work)
        started = time.monotonic()
        process = subprocess.Popen(real, cwd=work, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, preexec_fn=limits)
        try:
            _, err = process.communicate(timeout=self.args.timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            code, problem = None, f"no answer within {self.args.timeout:g} s (hang)"
        else:
            seconds = time.monotonic() - started
            code = process.returncode
            lines = err.decode("utf-8", "replace").splitlines()
            problem = judge(code, lines, before, listing(work))
            if show:
                print(f"$ cd {work} && {shlex.join(real)}\n" + "\n".join(lines) +
                      f"\nexit code {code} after {seconds:.2f} s")
            if problem is None and seconds > self.args.slow:
                problem = f"took {seconds:.1f} s (more than {self.args.slow:g} s)"
        server.close()
        shutil.rmtree(work, ignore_errors=True)  # as root, mode 000 does not stop the removal
        return code, problem

    def reproduce(self, argv):
        """The command that replays `argv` in a fresh scratch directory with the same limits."""
        return (f"{shlex.quote(sys.argv[0])} --descent {shlex.quote(self.args.descent)} "
                f"--memory-mib {self.args.memory_mib} --timeout {self.args.timeout:g} --replay "
                + shlex.quote(shlex.join(argv)))

    def worker(self, deadline, scratch, queue):
        while time.monotonic() < deadline:
            with self.lock:
                if self.args.max_invocations and self.count >= self.args.max_invocations:
                    return
                argv = queue.pop(0) if queue else self.draw()
                self.count += 1
            code, problem = self.run_one(argv, scratch)
            with self.lock:
                self.outcomes["timeout" if code is None else code] += 1
                if problem:
                    if len(problem) > 300:
                        problem = problem[:300] + "..."
                    self.failures.append((argv, problem))
                    print(f"FAIL: {problem}\n  {self.reproduce(argv)}", flush=True)


def listing(directory):
    """Every path under `directory` with its size and modification time."""
    out = {}
    for path, dirs, files in os.walk(directory):
        for name in dirs + files:
            full = os.path.join(path, name)
            info = os.lstat(full)
            out[os.path.relpath(full, directory)] = (info.st_size, info.st_mtime_ns)
    return out


def judge(code, lines, before, after):
    """What is wrong with an invocation that ended by itself, or None."""
    if code < 0:
        return f"killed by signal {-code} ({signal.Signals(-code).name})"
    if code not in ALLOWED_EXIT:
        return f"exit code {code}" + (f": {lines[-1]}" if lines else "")
    if code != 0 and len(lines) > MAX_ERROR_LINES:
        return f"{len(lines)} lines on standard error (at most {MAX_ERROR_LINES}): {lines[:4]}"
    if code in (2, 3, 4) and not any(line.startswith("descent: error: ") for line in lines):
        return f"exit code {code} without a 'descent: error:' line"
    temporary = [p for p in after if ".tmp." in os.path.basename(p) or p.endswith(".tmp")]
    if temporary:
        return f"left a temporary file {temporary[0]}"
    if code in (2, 3, 4):  # refused: nothing may have been written or changed
        changed = sorted(p for p in after if before.get(p) != after[p])
        if changed:
            return f"failed with exit code {code} but wrote {', '.join(changed[:3])}"
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--descent", default="build/descent", help="the descent executable")
    parser.add_argument("--seconds", type=float, default=120, help="time budget (default 120)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: the time)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="invocations at once")
    parser.add_argument("--timeout", type=float, default=30, help="seconds one invocation may take")
    parser.add_argument("--slow", type=float, default=10,
                        help="an invocation slower than this fails (a bounded answer is quick)")
    parser.add_argument("--memory-mib", type=int, default=4096, help="address-space limit (MiB)")
    parser.add_argument("--max-invocations", type=int, default=0, help="stop after N (0: no limit)")
    parser.add_argument("--values", default=os.path.join(HERE, "values.txt"))
    parser.add_argument("--regressions", default=os.path.join(HERE, "regressions.txt"))
    parser.add_argument("--replay", metavar="ARGS",
                        help="run this one command line (as a failure prints it) and show it")
    args = parser.parse_args()
    args.descent = os.path.abspath(args.descent)
    if args.seed is None:
        args.seed = int(time.time())
    fuzzer = Fuzzer(args)
    print(f"cli-fuzz: seed {args.seed}; {len(fuzzer.commands)} subcommands, "
          f"{sum(len(c['options']) for c in fuzzer.commands.values())} flags; "
          f"{args.seconds:g} s, {args.jobs} at once, {args.memory_mib} MiB, "
          f"{args.timeout:g} s each", flush=True)

    scratch = tempfile.mkdtemp(prefix="descent-cli-fuzz-")
    started = time.monotonic()
    try:
        fuzzer.run_dir = os.path.join(scratch, "run")
        subprocess.run([args.descent, "train", "--data", "moons", "--model", "mlp:4", "--epochs",
                        "1", "--quiet", "--out", fuzzer.run_dir], check=True,
                       stdout=subprocess.DEVNULL, timeout=120)
        if args.replay:
            code, problem = fuzzer.run_one(shlex.split(args.replay), scratch, show=True)
            print(f"FAIL: {problem}" if problem else "ok")
            return 1 if problem else 0
        # The findings so far first, every time: each is a command that once failed.
        queue = []
        if os.path.exists(args.regressions):
            with open(args.regressions, encoding="utf-8") as f:
                queue = [shlex.split(line) for line in f if line.strip() and line[0] != "#"]
        deadline = started + args.seconds
        threads = [threading.Thread(target=fuzzer.worker, args=(deadline, scratch, queue))
                   for _ in range(args.jobs)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    elapsed = time.monotonic() - started
    by_code = ", ".join(f"{k}: {v}" for k, v in sorted(fuzzer.outcomes.items(), key=str))
    print(f"cli-fuzz: {fuzzer.count} invocations in {elapsed:.0f} s, seed {args.seed}; "
          f"by exit code: {by_code}; {len(fuzzer.failures)} failure(s)", flush=True)
    return 1 if fuzzer.failures else 0


if __name__ == "__main__":
    sys.exit(main())
