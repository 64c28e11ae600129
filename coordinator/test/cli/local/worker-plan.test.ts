import { describe, expect, it } from "vitest";
import { planWorkers } from "../../../src/cli/local/worker-plan.js";

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
