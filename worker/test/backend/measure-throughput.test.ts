import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The built entry, as `prunesweep run --workers auto` starts it (a real process, real training steps).
const ENTRY = fileURLToPath(new URL("../../dist/backend/measure-throughput.js", import.meta.url));

/** Runs the entry, sending the `go` lines once it says it is ready; resolves to its JSON lines and exit code. */
function measure(args: readonly string[], env: NodeJS.ProcessEnv = {}, gos: readonly string[] = ["go"]): Promise<{ lines: Record<string, unknown>[]; code: number | null }> {
  return new Promise((res, rej) => {
    const c = spawn(process.execPath, [ENTRY, ...args], { stdio: ["pipe", "pipe", "ignore"], env: { ...process.env, ...env } });
    let out = "";
    c.stdout.on("data", (b: Buffer) => {
      out += b.toString();
      if (out.includes('"ready":true') && c.stdin.writable) c.stdin.end(gos.map((g) => `${g}\n`).join(""));
    });
    c.once("error", rej);
    c.once("exit", (code) => res({ lines: out.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>), code }));
  });
}

describe("measure-throughput (the --workers auto measuring process)", () => {
  it("warms up, says ready, trains for --ms after the go line, and reports samples/s on the engine with its threads", async () => {
    const { lines, code } = await measure(["--model", "mlp", "--options", '{"hidden":[16,8]}', "--input", "12", "--classes", "3", "--batch", "8", "--ms", "150", "--backend", "wasm"], {
      PRUNESWEEP_THREADS: "1",
    });
    expect(code).toBe(0);
    expect(lines[0]).toEqual({ ready: true });
    const r = lines[1]!;
    expect(r["ms"]).toBeGreaterThanOrEqual(150);
    expect(Number(r["samples"]) % 8).toBe(0);
    expect(Number(r["samples"])).toBeGreaterThan(0);
    expect(r["samplesPerSec"]).toBeCloseTo((Number(r["samples"]) / Number(r["ms"])) * 1000, 6);
    // wasm with BLAS kernels where a BLAS loads (then with the thread count asked), else its stock kernels.
    expect(String(r["engine"])).toMatch(/^wasm( \+ .+ \(1 thread\)| \(stock kernels\))$/);
  }, 60_000);

  it("measures once per go line in one process, switching the BLAS threads when a line names them", async () => {
    const args = ["--model", "mlp", "--options", '{"hidden":[16,8]}', "--input", "12", "--classes", "3", "--batch", "8", "--ms", "100", "--backend", "wasm"];
    const { lines, code } = await measure(args, { PRUNESWEEP_THREADS: "1" }, ["go 2", "go 1", "go"]);
    expect(code).toBe(0);
    expect(lines).toHaveLength(4);
    const engines = lines.slice(1).map((r) => String(r["engine"]));
    for (const r of lines.slice(1)) expect(Number(r["samples"])).toBeGreaterThan(0);
    if (engines[0] === "wasm (stock kernels)") expect(engines).toEqual(Array(3).fill("wasm (stock kernels)"));
    else {
      expect(engines[0]).toMatch(/^wasm \+ .+ \(2 threads\)$/);
      expect(engines[1]).toMatch(/^wasm \+ .+ \(1 thread\)$/);
      expect(engines[2]).toBe(engines[1]);
    }
  }, 60_000);

  it("fails with one JSON error line naming the bad value", async () => {
    const bad = await measure(["--backend", "quantum"]);
    expect(bad.code).toBe(1);
    expect(bad.lines).toEqual([{ error: expect.stringMatching(/--backend quantum: expected one of .*wasm/) as unknown }]);
    const line = await measure(["--model", "mlp", "--options", '{"hidden":[4]}', "--input", "4", "--classes", "2", "--batch", "4", "--ms", "10", "--backend", "cpu"], {}, ["go zero"]);
    expect(line.code).toBe(1);
    expect(line.lines.at(-1)).toEqual({ error: "stdin: go zero: threads must be an integer >= 1" });
    const model = await measure(["--model", "no-such-model", "--backend", "cpu"]);
    expect(model.code).toBe(1);
    expect(String(model.lines[0]?.["error"])).toContain("no-such-model");
  }, 60_000);
});
