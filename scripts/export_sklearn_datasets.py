#!/usr/bin/python3
"""Writes the small data sets that scikit-learn ships (Debian's python3-sklearn) as CSV files that
`descent train --data X.csv --test Y.csv` reads: a header row, the features, and the target in the
last column, named `label` (a class index for classification, a float for regression).
A regression target is standardized with the mean and standard deviation of its training part:
the raw diabetes targets are integers from 25 to 346, which the CSV reader would take for class
indices, and the mean squared error is then in units of the target's variance.

Each set is shuffled with a fixed seed and split: the last 20% become NAME_test.csv, the rest
NAME_train.csv, so every run of the tune-regret benchmark (bench/lr/regret.py) sees the same split.

    /usr/bin/python3 scripts/export_sklearn_datasets.py DIR
"""
import argparse
import os
import random
import statistics
import sys

SPLIT_SEED = 20261206
TEST_FRACTION = 0.2


def load_sets():
    try:
        from sklearn import datasets
    except ImportError:
        sys.exit("scikit-learn is missing: apt-get install python3-sklearn "
                 "(scripts/setup.sh --bench)")
    # name -> (bunch, regression?)
    return {
        "digits": (datasets.load_digits(), False),
        "breast_cancer": (datasets.load_breast_cancer(), False),
        "wine": (datasets.load_wine(), False),
        "diabetes": (datasets.load_diabetes(), True),
    }


def write_csv(path, header, rows):
    with open(path, "w") as f:
        f.write(",".join(header) + "\n")
        for row in rows:
            f.write(",".join(row) + "\n")


def export(name, bunch, regression, out_dir):
    n, width = bunch.data.shape
    header = [f"x{j}" for j in range(width)] + ["label"]
    order = list(range(n))
    random.Random(SPLIT_SEED).shuffle(order)
    n_test = int(round(n * TEST_FRACTION))
    targets = [float(t) for t in bunch.target]
    if regression:
        mean = statistics.fmean(targets[i] for i in order[: n - n_test])
        std = statistics.pstdev([targets[i] for i in order[: n - n_test]], mean)
        labels = [repr((t - mean) / std) for t in targets]
    else:
        labels = [str(int(t)) for t in targets]
    rows = [[repr(float(v)) for v in bunch.data[i]] + [labels[i]] for i in order]
    train, test = rows[: n - n_test], rows[n - n_test:]
    write_csv(os.path.join(out_dir, f"{name}_train.csv"), header, train)
    write_csv(os.path.join(out_dir, f"{name}_test.csv"), header, test)
    return len(train), len(test), width


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", help="directory for NAME_train.csv and NAME_test.csv")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    for name, (bunch, regression) in load_sets().items():
        n_train, n_test, width = export(name, bunch, regression, args.dir)
        kind = "regression" if regression else f"{len(set(bunch.target))} classes"
        print(f"{name}: {n_train} train, {n_test} test, {width} features, {kind}")


if __name__ == "__main__":
    main()
