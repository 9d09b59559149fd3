"""The learning-rate suggestions of three other libraries' range tests, re-implemented from their
published code so that the tune-regret benchmark (regret.py) can apply them to descent's own
range-test curve (lr_finder.json: η, per-step loss and the smoothed loss of every step).

Each function takes the curve as lists and returns the suggested η, or None where the library
would give none. Python 3 standard library only.
"""
import math


def debiased_ema(losses, beta=0.98):
    """The bias-corrected moving average that fastai's Recorder, Lightning's _LRCallback and
    descent's finder all smooth the loss with: m_k = β m_{k−1} + (1 − β) loss_k, s_k = m_k / (1 −
    β^k), k counting from 1."""
    smoothed, average = [], 0.0
    for k, loss in enumerate(losses, start=1):
        average = beta * average + (1 - beta) * loss
        smoothed.append(average / (1 - beta**k))
    return smoothed


def fastai_valley(lrs, smoothed, num_it):
    """fastai's `valley` (fastai/callback/schedule.py, fastai 2.5+, `Learner.lr_find` with
    `suggest_funcs=(valley,)`): lr_find keeps the recorded smoothed losses from num_it // 10 to
    the fifth-last (cutting at the first NaN); `valley` finds the longest strictly decreasing
    subsequence of them (O(n²) dynamic programming, as published: lds[i] is the length of the
    longest one ending at i, and the end is the first i of the largest length) and takes the point
    (max_end − max_start) / 3 + half of that past its start: about 1/2 of the way along it."""
    lrs, losses = lrs[num_it // 10 : len(lrs) - 5], smoothed[num_it // 10 : len(smoothed) - 5]
    for i, loss in enumerate(losses):
        if math.isnan(loss):
            lrs, losses = lrs[:i], losses[:i]
            break
    n = len(losses)
    if n == 0:
        return None
    lds = [1] * n
    max_start, max_end = 0, 0
    for i in range(1, n):
        for j in range(i):
            if losses[i] < losses[j] and lds[i] < lds[j] + 1:
                lds[i] = lds[j] + 1
            if lds[max_end] < lds[i]:
                max_end = i
                max_start = max_end - lds[max_end]
    sections = (max_end - max_start) / 3
    return lrs[max_start + int(sections) + int(sections / 2)]


def gradient(values):
    """numpy.gradient with unit spacing: central differences inside, one-sided at the ends."""
    n = len(values)
    if n < 2:
        return []
    inner = [(values[i + 1] - values[i - 1]) / 2 for i in range(1, n - 1)]
    return [values[1] - values[0]] + inner + [values[-1] - values[-2]]


def argmin(values):
    """The first index of the smallest value (numpy.argmin; no NaN reaches here)."""
    return min(range(len(values)), key=lambda i: (values[i], i))


def torch_lr_finder_smoothing(raw_losses, smooth_f=0.05, diverge_th=5.0):
    """torch-lr-finder's curve (davidtvs/pytorch-lr-finder, torch_lr_finder/lr_finder.py,
    `LRFinder.range_test`): loss_k = smooth_f · raw_k + (1 − smooth_f) · loss_{k−1}, without bias
    correction, and the test stops after the first loss above diverge_th × the best so far. Its
    defaults: smooth_f 0.05, diverge_th 5. Returns the losses it would have recorded; a NaN raw
    loss (after which descent's test has stopped) ends it too."""
    recorded, best = [], None
    for k, raw in enumerate(raw_losses):
        if not math.isfinite(raw):
            break
        loss = raw if k == 0 else smooth_f * raw + (1 - smooth_f) * recorded[-1]
        if best is None or loss < best:
            best = loss
        recorded.append(loss)
        if loss > diverge_th * best:
            break
    return recorded


def torch_lr_finder_steepest(lrs, losses, skip_start=10, skip_end=5):
    """torch-lr-finder's suggestion (`LRFinder.plot(suggest_lr=True)`, defaults skip_start 10,
    skip_end 5): the η at the most negative numpy.gradient of its recorded losses, per step (not
    per log η), after cutting skip_start points at the start and skip_end at the end. None where
    fewer than 2 points remain (it prints "Failed to compute the gradients")."""
    n = len(losses)
    kept_lrs, kept = lrs[skip_start : n - skip_end], losses[skip_start : n - skip_end]
    if len(kept) < 2:
        return None
    return kept_lrs[argmin(gradient(kept))]


def lightning_suggestion(lrs, smoothed, skip_begin=10, skip_end=1):
    """PyTorch Lightning's suggestion (lightning/pytorch/tuner/lr_finder.py, `_LRFinder.suggestion`,
    defaults skip_begin 10, skip_end 1) on its curve, the bias-corrected EMA with β 0.98 (as
    descent's): drop skip_begin points at the start and skip_end at the end, keep the finite
    losses, and take the η at skip_begin + the argmin of their gradient. That index counts the
    finite losses only, so after a dropped NaN it points past the one it found, as Lightning's does.
    None where fewer than 2 points remain."""
    kept = [loss for loss in smoothed[skip_begin : len(smoothed) - skip_end] if math.isfinite(loss)]
    if len(kept) < 2:
        return None
    return lrs[skip_begin + argmin(gradient(kept))]
