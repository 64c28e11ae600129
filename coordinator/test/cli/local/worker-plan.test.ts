import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import {
  cacheSplits,
  cachedSplits,
  candidateSplits,
  defaultSplitCacheFile,
  measuredReason,
  pickSplit,
  planWorkers,
  planWorkersMeasured,
  splitCacheKey,
  type MeasureTask,
  type MeasuredSplit,
} from "../../../src/cli/local/worker-plan.js";

describe("planWorkers", () => {
  it("auto: workers up to the campaign's parallelism and the cores, the rest as BLAS threads", () => {
    expect(planWorkers("auto", 2, 2)).toMatchObject({ workers: 2, threads: 1 });
    expect(planWorkers("auto", 2, 8)).toMatchObject({ workers: 2, threads: 4 });
    expect(planWorkers("auto", 16, 8)).toMatchObject({ workers: 8, threads: 1 });
    expect(planWorkers("auto", 1, 6)).toMatchObject({ workers: 1, threads: 6 });
    expect(planWorkers("auto", 3, 8)).toMatchObject({ workers: 3, threads: 2 });
    expect(planWorkers("auto", 2, 8).reason).toBe("--workers auto: 2 worker(s) × 4 BLAS thread(s) on 8 cores (campaign parallelism 2; whole trials in parallel before threads within one)");
  });

  it("a count is kept, with the cores shared among its workers", () => {
    expect(planWorkers(3, 8, 8)).toMatchObject({ workers: 3, threads: 2 });
    expect(planWorkers(4, 2, 2)).toMatchObject({ workers: 4, threads: 1 });
    expect(planWorkers(0, 2, 2)).toEqual({ workers: 0, reason: "0 worker(s) as asked, 0 BLAS thread(s) each (2 cores)" });
  });
});

// The worker's measuring entry, built by `npm run build` (real processes, real training steps).
const MEASURE = { command: process.execPath, args: [fileURLToPath(new URL("../../../../worker/dist/backend/measure-throughput.js", import.meta.url))] };
const TINY: MeasureTask = { model: "mlp", modelOptions: { hidden: [16, 8] }, inputShape: [8, 8, 1], numClasses: 4, batchSize: 16, backend: "wasm" };

describe("candidateSplits", () => {
  it("w workers × floor(cores / w) threads for the divisors of the cores up to the parallelism, and that maximum", () => {
    expect(candidateSplits(2, 2)).toEqual([
      { workers: 1, threads: 2 },
      { workers: 2, threads: 1 },
    ]);
    expect(candidateSplits(8, 6).map((s) => `${s.workers}x${s.threads}`)).toEqual(["1x6", "2x3", "3x2", "6x1"]);
    expect(candidateSplits(5, 8).map((s) => `${s.workers}x${s.threads}`)).toEqual(["1x8", "2x4", "4x2", "5x1"]);
    expect(candidateSplits(1, 4)).toEqual([{ workers: 1, threads: 4 }]);
  });
});

describe("pickSplit", () => {
  it("takes the most aggregate samples/s, more workers on a tie, and names the runner-up", () => {
    const a = { workers: 1, threads: 2, samplesPerSec: 298 };
    const b = { workers: 2, threads: 1, samplesPerSec: 412 };
    expect(pickSplit([a, b])).toEqual({ best: b, runnerUp: a });
    expect(pickSplit([b, { ...a, samplesPerSec: 500 }]).best.workers).toBe(1);
    expect(pickSplit([{ ...a, samplesPerSec: 300 }, { ...b, samplesPerSec: 300 }]).best.workers).toBe(2);
    expect(pickSplit([a, { ...b, samplesPerSec: Number.NaN }])).toEqual({ best: a });
    expect(() => pickSplit([])).toThrow(/no split was measured/);
    expect(measuredReason([a, b], "measured")).toBe("--workers auto: 2 × 1 thread (412 samples/s) over 1 × 2 threads (298 samples/s), measured");
  });
});

describe("the split cache", () => {
  const dir = mkdtempSync(join(tmpdir(), "prunesweep-splits-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const parts = { cpu: "Test CPU", cores: 2, blas: "auto", task: TINY, candidates: candidateSplits(2, 2) };

  it("keys on CPU, cores, BLAS, engine, model, options, shape and candidates", () => {
    const k = splitCacheKey(parts);
    expect(splitCacheKey({ ...parts })).toBe(k);
    for (const changed of [
      { ...parts, cpu: "Other CPU" },
      { ...parts, cores: 4 },
      { ...parts, blas: "off" },
      { ...parts, task: { ...TINY, backend: "cpu" } },
      { ...parts, task: { ...TINY, model: "lenet5" } },
      { ...parts, task: { ...TINY, modelOptions: { hidden: [32, 8] } } },
      { ...parts, task: { ...TINY, inputShape: [8, 8, 3] } },
      { ...parts, task: { ...TINY, batchSize: 32 } },
      { ...parts, candidates: candidateSplits(1, 2) },
    ])
      expect(splitCacheKey(changed)).not.toBe(k);
    expect(defaultSplitCacheFile({ XDG_CACHE_HOME: "/x" })).toBe(join("/x", "prunesweep", "worker-splits.json"));
  });

  it("reuses a cached measurement without starting anything, and measures again when the key changes", async () => {
    const file = join(dir, "reuse.json");
    const measured = [
      { workers: 1, threads: 2, samplesPerSec: 100 },
      { workers: 2, threads: 1, samplesPerSec: 150 },
    ];
    cacheSplits(file, splitCacheKey(parts), { measured, engine: "wasm (stock kernels)", at: "2026-01-01T00:00:00.000Z" });
    expect(cachedSplits(file, splitCacheKey(parts))?.measured).toEqual(measured);
    // A command that cannot start: any attempt to measure would fail and fall back to the rule.
    const broken = { command: join(dir, "missing-binary"), args: [] };
    const opts = { measure: broken, task: TINY, cacheFile: file, cpu: "Test CPU", blas: "auto" };
    const hit = await planWorkersMeasured("auto", 2, 2, opts);
    expect(hit).toMatchObject({ workers: 2, threads: 1 });
    expect(hit.reason).toBe(`--workers auto: 2 × 1 thread (150 samples/s) over 1 × 2 threads (100 samples/s), measured 2026-01-01T00:00:00.000Z on mlp [8, 8, 1] batch 16 (wasm (stock kernels)), reused from ${file}`);
    // Another CPU model: the entry does not apply, so it measures (and here fails, saying so).
    const miss = await planWorkersMeasured("auto", 2, 2, { ...opts, cpu: "Other CPU" });
    expect(miss).toMatchObject({ workers: 2, threads: 1 });
    expect(miss.reason).toMatch(/^--workers auto: 2 worker\(s\) × 1 BLAS thread\(s\) on 2 cores .*; measuring failed \(.+\), so the fixed rule decided$/);
    // An unreadable cache file is an empty cache.
    writeFileSync(join(dir, "garbage.json"), "{not json");
    expect(cachedSplits(join(dir, "garbage.json"), splitCacheKey(parts))).toBeUndefined();
    // A malformed entry is a miss, not a crash.
    cacheSplits(join(dir, "bad-entry.json"), "k", { measured: [{ workers: 1, threads: 2, samplesPerSec: Number.NaN }], at: "x" });
    expect(cachedSplits(join(dir, "bad-entry.json"), "k")).toBeUndefined();
  });

  it("with PRUNESWEEP_BLAS=off measures nothing: whole trials in parallel, one thread each", async () => {
    const opts = { measure: { command: join(dir, "missing-binary"), args: [] }, task: TINY, cacheFile: join(dir, "off.json"), blas: "off" };
    const plan = await planWorkersMeasured("auto", 4, 2, opts);
    expect(plan).toMatchObject({ workers: 2, threads: 1 });
    expect(plan.reason).toMatch(/PRUNESWEEP_BLAS=off, so threads are not shared and nothing was measured$/);
    expect(existsSync(join(dir, "off.json"))).toBe(false);
  });

  it("--workers N measures nothing; one candidate needs no measuring", async () => {
    const opts = { measure: { command: join(dir, "missing-binary"), args: [] }, task: TINY, cacheFile: join(dir, "none.json") };
    expect(await planWorkersMeasured(3, 2, 6, opts)).toMatchObject({ workers: 3, threads: 2 });
    const one = await planWorkersMeasured("auto", 1, 2, opts);
    expect(one).toMatchObject({ workers: 1, threads: 2 });
    expect(one.reason).toMatch(/the only split/);
  });
});

describe("measuring for real", () => {
  const dir = mkdtempSync(join(tmpdir(), "prunesweep-measure-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("runs w concurrent measuring processes per split, picks the fastest and caches it", async () => {
    const file = join(dir, "splits.json");
    const plan = await planWorkersMeasured("auto", 2, 2, { measure: MEASURE, task: TINY, cacheFile: file, msPerSplit: 150 });
    expect(plan.reason).toMatch(/^--workers auto: [12] × [12] threads? \(\d+ samples\/s\) over [12] × [12] threads? \(\d+ samples\/s\), measured on mlp \[8, 8, 1\] batch 16 \(wasm.*\), cached in /);
    const entry = Object.values(JSON.parse(readFileSync(file, "utf8")) as Record<string, { measured: MeasuredSplit[] }>)[0]!;
    expect(entry.measured.map((m) => `${m.workers}x${m.threads}`)).toEqual(["1x2", "2x1"]);
    for (const m of entry.measured) expect(m.samplesPerSec).toBeGreaterThan(0);
    const best = pickSplit(entry.measured).best;
    expect(plan).toMatchObject({ workers: best.workers, threads: best.threads });
    // The second run reuses the file.
    expect((await planWorkersMeasured("auto", 2, 2, { measure: MEASURE, task: TINY, cacheFile: file })).reason).toMatch(/reused from /);
  }, 60_000);

  it("stops measuring when the start-up it waits for fails, without waiting for the processes to load", async () => {
    const t0 = Date.now();
    const after = Promise.reject(new Error("nats-server did not start"));
    const plan = await planWorkersMeasured("auto", 2, 2, { measure: MEASURE, task: TINY, cacheFile: join(dir, "after.json"), msPerSplit: 50, after });
    expect(plan).toMatchObject({ workers: 2, threads: 1 });
    expect(plan.reason).toMatch(/measuring failed \(nats-server did not start\), so the fixed rule decided$/);
    expect(existsSync(join(dir, "after.json"))).toBe(false);
    // Loading TensorFlow.js alone takes longer than this.
    expect(Date.now() - t0).toBeLessThan(1_000);
  }, 60_000);

  it("a measuring process that fails makes the fixed rule decide, saying why", async () => {
    const plan = await planWorkersMeasured("auto", 2, 2, { measure: MEASURE, task: { ...TINY, model: "no-such-model" }, cacheFile: join(dir, "fail.json"), msPerSplit: 50 });
    expect(plan).toMatchObject({ workers: 2, threads: 1 });
    expect(plan.reason).toMatch(/measuring failed \(measuring process: .*no-such-model.*\), so the fixed rule decided$/);
  }, 60_000);
});
