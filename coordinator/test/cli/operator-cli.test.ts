import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { selectTrials } from "../../src/cli/commands/trials.js";
import { createPinoLogger } from "../../src/cli/local/pino-logger.js";
import { ConfigError, loadOperatorConfig } from "../../src/config.js";
import { fixtureResults } from "../report/results-fixture.js";

describe("selectTrials", () => {
  it("filters by state and method", () => {
    const r = fixtureResults();
    expect(selectTrials(r, { state: "completed,stopped_early" }).map((t) => t.number)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(selectTrials(r, { method: "sap" }).map((t) => t.number)).toEqual([2, 3, 6, 9]);
  });

  it("sorts objectives best first by default, any key with :asc/:desc, missing values last", () => {
    const r = fixtureResults();
    expect(selectTrials(r, { sort: "accuracy", limit: "3" }).map((t) => t.number)).toEqual([0, 1, 2]);
    expect(selectTrials(r, { sort: "nonzero_params" }).map((t) => t.number).slice(0, 3)).toEqual([4, 2, 5]);
    expect(selectTrials(r, { sort: "param.magnitude.sparsity:desc" }).map((t) => t.number).slice(0, 2)).toEqual([4, 5]);
    expect(selectTrials(r, { sort: "accuracy:asc" }).at(-1)?.number).toBe(9);
  });

  it("rejects unknown states and directions", () => {
    expect(() => selectTrials(fixtureResults(), { state: "done" })).toThrow(/--state/);
    expect(() => selectTrials(fixtureResults(), { sort: "accuracy:up" })).toThrow(/--sort/);
  });
});

describe("loadOperatorConfig", () => {
  const read = (p: string): string => {
    if (p === "tok") return " s3cret\n";
    if (p === "empty") return "";
    throw new Error("ENOENT");
  };

  it("takes flags over the environment and reads the token file", () => {
    const c = loadOperatorConfig({ coordinator: "localhost:9000", tokenFile: "tok" }, { PRUNESWEEP_COORDINATOR: "x:1", PRUNESWEEP_TOKEN: "env" }, read);
    expect(c).toEqual({ coordinator: "localhost:9000", authToken: "s3cret", callTimeoutMs: 30_000 });
    expect(loadOperatorConfig({}, { PRUNESWEEP_TOKEN: "env", PRUNESWEEP_COORDINATOR: "[::1]:50051" }, read)).toMatchObject({ coordinator: "[::1]:50051", authToken: "env" });
    expect(loadOperatorConfig({}, {}, read).coordinator).toBe("127.0.0.1:50051");
  });

  it("names the flag that is wrong", () => {
    expect(() => loadOperatorConfig({ coordinator: "nohost" }, {}, read)).toThrow(/--coordinator: expected host:port/);
    expect(() => loadOperatorConfig({ tokenFile: "empty" }, {}, read)).toThrow(/is empty/);
    expect(() => loadOperatorConfig({ tokenFile: "missing" }, {}, read)).toThrow(ConfigError);
    expect(() => loadOperatorConfig({ tlsServerName: "x" }, {}, read)).toThrow(/--tls-ca/);
  });
});

describe("createPinoLogger", () => {
  it("writes JSON lines with a level label, ISO time, name, message and fields", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const log = createPinoLogger("info", "coordinator", sink);
    log.debug("hidden");
    log.warn("stale trials re-queued", { campaign: "c1", trials: ["t1"] });
    expect(lines).toHaveLength(1);
    const o = JSON.parse(lines[0] as string) as Record<string, unknown>;
    expect(o).toMatchObject({ level: "warn", name: "coordinator", msg: "stale trials re-queued", campaign: "c1", trials: ["t1"] });
    expect(o["time"]).toMatch(/^\d{4}-\d\d-\d\dT/);
  });
});
