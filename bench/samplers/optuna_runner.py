#!/usr/bin/python3
"""Runs Optuna's samplers on the benchmark problems of bench/samplers (driven by run.mjs).

The same problems, budgets, seeds and lifecycle as the TypeScript side: one ``study.ask()``
per new trial, at most ``parallelism`` trials in flight, completed first-in first-out, so
with parallelism 16 sixteen suggestions are outstanding before the first result returns.
Prints one JSON object on stdout; the hypervolume is computed by run.mjs from the returned
loss vectors with the same code as for our samplers.

Optuna 3.1's TPESampler recomputes its observation list and its below/above split (a
greedy hypervolume subset selection) once per *parameter* with identical inputs; with 30
parameters that makes a 1,000-trial run take over an hour. Quality runs therefore cache those
pure functions on their full inputs (``--no-memoize-split`` turns this off), which returns
identical values: ``--check-memo`` verifies that the suggestions of a run are the same with
and without it.
Timings (``--mode timing``) always use unmodified Optuna.
"""
import argparse
import json
import math
import sys
import time
import warnings

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)
warnings.filterwarnings("ignore")


def zdt_g(x):
    return 1 + 9 * sum(x[1:]) / (len(x) - 1)


def zdt1(x):
    g = zdt_g(x)
    return [x[0], g * (1 - math.sqrt(x[0] / g))]


def zdt2(x):
    g = zdt_g(x)
    return [x[0], g * (1 - (x[0] / g) ** 2)]


def zdt3(x):
    g = zdt_g(x)
    return [x[0], g * (1 - math.sqrt(x[0] / g) - (x[0] / g) * math.sin(10 * math.pi * x[0]))]


def dtlz2(x, m=3):
    g = sum((xi - 0.5) ** 2 for xi in x[m - 1:])
    f = []
    for i in range(m):
        v = 1 + g
        for j in range(m - 1 - i):
            v *= math.cos(x[j] * math.pi / 2)
        if i > 0:
            v *= math.sin(x[m - 1 - i] * math.pi / 2)
        f.append(v)
    return f


PROBLEMS = {"ZDT1": (30, zdt1), "ZDT2": (30, zdt2), "ZDT3": (30, zdt3), "DTLZ2": (12, dtlz2)}


def make_sampler(name, seed):
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if name == "nsga2":
        return optuna.samplers.NSGAIISampler(population_size=50, seed=seed)
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    raise SystemExit(f"unknown sampler {name}")


def memoize_split():
    """Caches TPE's split and below weights on their full inputs (pure functions)."""
    from optuna.samplers._tpe import sampler as tpe

    def memo(fn, key_of):
        last = {}

        def wrapper(*args):
            key = key_of(*args)
            if last.get("key") != key:
                last["key"] = key
                last["value"] = fn(*args)
            value = last["value"]
            return tuple(v.copy() for v in value) if isinstance(value, tuple) else value.copy()

        return wrapper

    def loss_key(loss_vals):
        return tuple((s, tuple(v)) for s, v in loss_vals)

    tpe._split_observation_pairs = memo(
        tpe._split_observation_pairs,
        lambda lv, n, viol: (loss_key(lv), n, None if viol is None else tuple(viol)),
    )
    tpe._calculate_weights_below_for_multi_objective = memo(
        tpe._calculate_weights_below_for_multi_objective,
        lambda lv, idx, viol: (loss_key(lv), tuple(int(i) for i in idx), None if viol is None else tuple(viol)),
    )

    # _get_observation_pairs(study, [name], ...) scans every trial once per parameter; the
    # values of one parameter do not depend on the others, so scan once for all of them
    # while the trials are unchanged.
    original_pairs = tpe._get_observation_pairs
    cache = {}

    def pairs(study, param_names, constant_liar=False, constraints_enabled=False):
        trials = study.get_trials(deepcopy=False)
        # Finished trials are immutable; running trials only count with the constant liar.
        key = (
            id(study),
            constant_liar,
            constraints_enabled,
            tuple((t.number, t.state.value, len(t.params) if constant_liar and not t.state.is_finished() else 0) for t in trials),
        )
        if cache.get("key") != key or not set(param_names) <= cache["names"]:
            names = set(param_names)
            for t in trials:
                names.update(t.distributions.keys())
            cache["key"] = key
            cache["names"] = names
            cache["value"] = original_pairs(study, sorted(names), constant_liar, constraints_enabled)
        values, scores, violations = cache["value"]
        return ({n: list(values[n]) for n in param_names}, list(scores), None if violations is None else list(violations))

    tpe._get_observation_pairs = pairs


def run(problem, sampler_name, seed, budget, parallelism):
    n, fn = PROBLEMS[problem]
    m = 3 if problem == "DTLZ2" else 2
    study = optuna.create_study(directions=["minimize"] * m, sampler=make_sampler(sampler_name, seed))
    inflight, losses, params = [], [], []
    created = 0
    started = time.perf_counter()
    while len(losses) < budget:
        while created < budget and len(inflight) < parallelism:
            t = study.ask()
            x = [t.suggest_float(f"x{i}", 0.0, 1.0) for i in range(n)]
            inflight.append((t, x))
            params.append(x)
            created += 1
        t, x = inflight.pop(0)
        f = fn(x)
        study.tell(t, f)
        losses.append(f)
    return {"losses": losses, "params": params, "seconds": time.perf_counter() - started}


def timing(problem, sampler_name, history, warmup, measure, seed):
    """Mean ask+tell seconds per trial with `history` random completed trials in the study."""
    n, fn = PROBLEMS[problem]
    m = 3 if problem == "DTLZ2" else 2
    dists = {f"x{i}": optuna.distributions.FloatDistribution(0.0, 1.0) for i in range(n)}
    study = optuna.create_study(directions=["minimize"] * m, sampler=make_sampler(sampler_name, seed))
    rng = __import__("random").Random(seed)
    trials = []
    for k in range(history):
        x = [rng.random() for _ in range(n)]
        # NSGA-II reads each trial's generation from a system attribute it sets in
        # sample_relative; give the history the generations it would have had (population 50).
        attrs = {"nsga2:generation": k // 50} if sampler_name == "nsga2" else {}
        trials.append(optuna.trial.create_trial(params={f"x{i}": v for i, v in enumerate(x)}, distributions=dists, values=fn(x), system_attrs=attrs))
    study.add_trials(trials)
    wall = cpu = 0.0
    for k in range(warmup + measure):
        t0, c0 = time.perf_counter(), time.process_time()
        t = study.ask()
        x = [t.suggest_float(f"x{i}", 0.0, 1.0) for i in range(n)]
        t1, c1 = time.perf_counter(), time.process_time()
        f = fn(x)
        t2, c2 = time.perf_counter(), time.process_time()
        study.tell(t, f)
        t3, c3 = time.perf_counter(), time.process_time()
        if k >= warmup:
            wall += (t1 - t0) + (t3 - t2)
            cpu += (c1 - c0) + (c3 - c2)
    return {"ms_per_trial": 1000 * wall / measure, "cpu_ms_per_trial": 1000 * cpu / measure}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=["quality", "timing", "check-memo"], default="quality")
    ap.add_argument("--problem", required=True)
    ap.add_argument("--sampler", required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--budget", type=int, default=1000)
    ap.add_argument("--parallelism", type=int, default=1)
    ap.add_argument("--history", type=int, default=1000)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--measure", type=int, default=10)
    ap.add_argument("--no-memoize-split", action="store_true")
    a = ap.parse_args()
    out = {"optuna": optuna.__version__}
    if a.mode == "timing":
        out.update(timing(a.problem, a.sampler, a.history, a.warmup, a.measure, a.seed))
    elif a.mode == "check-memo":
        plain = run(a.problem, a.sampler, a.seed, a.budget, a.parallelism)["params"]
        memoize_split()
        memo = run(a.problem, a.sampler, a.seed, a.budget, a.parallelism)["params"]
        out["identical"] = plain == memo
        out["trials"] = len(plain)
    else:
        if a.sampler == "tpe" and not a.no_memoize_split:
            memoize_split()
        r = run(a.problem, a.sampler, a.seed, a.budget, a.parallelism)
        out.update({"losses": r["losses"], "seconds": r["seconds"]})
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
