/**
 * Drives a real sampler through the coordinator's ask/tell lifecycle on a benchmark problem,
 * the way CampaignRunner does: one `ask` per new trial with a per-trial Rng, at most
 * `parallelism` trials in flight, `tell` after each trial completes. Completion is FIFO, so
 * with parallelism 16 sixteen suggestions are outstanding before the first result returns.
 */
import { performance } from "node:perf_hooks";
import { Rng, seedFrom, hypervolume } from "./coordinator-api.mjs";

const lossOf = (metrics, objectives) =>
  objectives.map((o) => {
    const v = metrics[o.metric];
    if (v === undefined || !Number.isFinite(v)) return Number.POSITIVE_INFINITY;
    return o.direction === "maximize" ? -v : v;
  });

/**
 * Runs one sampler on one problem.
 *
 * @returns { hv: {checkpoint: value}, evaluations, waits, askMs, tellMs }
 */
export function runSampler({ problem, sampler, budget, parallelism, seed, checkpoints }) {
  const trials = [];
  const inflight = [];
  const losses = [];
  const hv = {};
  const cps = new Set(checkpoints);
  let created = 0;
  let completed = 0;
  let waits = 0;
  let askMs = 0;
  let tellMs = 0;
  while (completed < budget) {
    while (created < budget && inflight.length < parallelism) {
      const view = { trials, space: problem.space.space, objectives: problem.objectives, constraints: [] };
      const t0 = performance.now();
      const s = sampler.ask(view, new Rng(seedFrom("bench", seed * 1_000_003 + created)));
      askMs += performance.now() - t0;
      if (s.kind === "wait") {
        waits++;
        break;
      }
      if (s.kind === "exhausted") throw new Error(`${sampler.name} exhausted the space`);
      trials.push(snapshot(created, "running", s.params, {}));
      inflight.push(created);
      created++;
    }
    if (inflight.length === 0) throw new Error(`${sampler.name} waits with nothing in flight`);
    const idx = inflight.shift();
    const t = trials[idx];
    const metrics = problem.evaluate(t.params);
    trials[idx] = snapshot(idx, "completed", t.params, metrics);
    completed++;
    const t1 = performance.now();
    sampler.tell?.(trials[idx], { trials, space: problem.space.space, objectives: problem.objectives, constraints: [] });
    tellMs += performance.now() - t1;
    losses.push(lossOf(metrics, problem.objectives));
    if (cps.has(completed)) hv[completed] = hypervolume(losses, problem.reference);
  }
  return { hv, evaluations: completed, waits, askMs, tellMs };
}

function snapshot(number, state, params, metrics) {
  return { id: `t${number}`, number, state, params, metrics, progress: [], attempts: 1, createdAt: number };
}

/** CPU time of this process in ms (user + system): robust to other load on the machine. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * Mean ask+tell time per trial (ms) with `history` trials already completed: the history is
 * `history` random points evaluated on the problem; after `warmup` trials (which absorb the
 * one-off cost of reading the history) the next `measure` trials are timed, each asked and
 * then told as completed (parallelism 1). Returns wall-clock and CPU milliseconds.
 */
export function timeAskTell({ problem, makeSampler, randomSampler, history, warmup = 5, measure = 50, seed = 1 }) {
  const trials = [];
  const view = () => ({ trials, space: problem.space.space, objectives: problem.objectives, constraints: [] });
  for (let i = 0; i < history; i++) {
    const s = randomSampler.ask(view(), new Rng(seedFrom("history", seed * 1_000_003 + i)));
    trials.push(snapshot(i, "completed", s.params, problem.evaluate(s.params)));
  }
  const sampler = makeSampler();
  let wall = 0;
  let cpu = 0;
  for (let k = 0; k < warmup + measure; k++) {
    const n = trials.length;
    const w0 = performance.now();
    const c0 = cpuMs();
    const s = sampler.ask(view(), new Rng(seedFrom("timing", seed * 1_000_003 + n)));
    const w1 = performance.now();
    const c1 = cpuMs();
    if (s.kind !== "params") throw new Error(`${sampler.name} answered ${s.kind} while timing`);
    trials.push(snapshot(n, "running", s.params, {}));
    const metrics = problem.evaluate(s.params);
    trials[n] = snapshot(n, "completed", s.params, metrics);
    const w2 = performance.now();
    const c2 = cpuMs();
    sampler.tell?.(trials[n], view());
    if (k >= warmup) {
      wall += w1 - w0 + (performance.now() - w2);
      cpu += c1 - c0 + (cpuMs() - c2);
    }
  }
  return { wallMs: wall / measure, cpuMs: cpu / measure };
}
