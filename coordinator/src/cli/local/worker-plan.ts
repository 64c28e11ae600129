/**
 * `prunesweep run --workers auto`: how many worker processes to start and how many BLAS threads
 * each gets, so that workers × threads = cores. Trials are independent, so each extra worker
 * process adds a whole trial's throughput, while an extra BLAS thread speeds up only the
 * matrix products of a step (bench/compute/profile.mjs: on the small nets of the catalogue most
 * of a step is single-threaded per-op work). So: as many workers as the campaign can keep busy
 * (its parallelism) and the cores allow, and the cores left over as BLAS threads.
 */

/** The split that `--workers` resolved to. */
export interface WorkerPlan {
  readonly workers: number;
  /** BLAS threads per worker (`--threads`); undefined: the worker's default. */
  readonly threads?: number;
  /** One line saying what was picked and why, printed by `prunesweep run`. */
  readonly reason: string;
}

/**
 * Resolves `--workers` (`auto` or a count) for a campaign of `parallelism` concurrent trials on
 * `cores` cores.
 */
export function planWorkers(requested: number | "auto", parallelism: number, cores: number): WorkerPlan {
  const c = Math.max(1, Math.floor(cores));
  if (requested !== "auto") {
    const threads = requested > 0 ? Math.max(1, Math.floor(c / requested)) : undefined;
    return { workers: requested, ...(threads !== undefined && { threads }), reason: `${requested} worker(s) as asked, ${threads ?? 0} BLAS thread(s) each (${c} cores)` };
  }
  const workers = Math.max(1, Math.min(c, Math.max(1, parallelism)));
  const threads = Math.max(1, Math.floor(c / workers));
  return {
    workers,
    threads,
    reason: `--workers auto: ${workers} worker(s) × ${threads} BLAS thread(s) on ${c} cores (campaign parallelism ${parallelism}; whole trials in parallel before threads within one)`,
  };
}
