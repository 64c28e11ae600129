import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { BLAS_INSTALL_HINT, loadBlas } from "../../../src/backend/blas/library.js";
import { loadBlasEnvironment, loadWorkerConfig, parseThreads } from "../../../src/config.js";
import { blas } from "./agree.js";

const selectBackendJs = fileURLToPath(new URL("../../../dist/backend/select-backend.js", import.meta.url));

/** Runs selectBackend(pref) in a fresh process with `env`; the selection log lines. */
function selectIn(pref: string, env: Record<string, string>): { msg: string; fields: Record<string, unknown> }[] {
  const script = `import { selectBackend } from ${JSON.stringify(selectBackendJs)};
const lines = [];
const sel = await selectBackend(${JSON.stringify(pref)}, (msg, fields) => lines.push({ msg, fields }));
lines.push({ msg: "kernel", fields: { matmul: String(sel.tf.getKernel("BatchMatMul", "wasm")?.kernelFunc.name) } });
console.log(JSON.stringify(lines));`;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { env: { ...process.env, ...env }, encoding: "utf8" });
  return JSON.parse(out.trim().split("\n").at(-1) ?? "[]") as { msg: string; fields: Record<string, unknown> }[];
}

describe("loadBlas", () => {
  it("PRUNESWEEP_BLAS=off disables BLAS", () => {
    expect(loadBlas({ setting: "off" })).toBe("PRUNESWEEP_BLAS=off");
    expect(loadBlas({ setting: "OFF " })).toBe("PRUNESWEEP_BLAS=off");
  });

  it("a path that does not load is named, with what to set instead", () => {
    const r = loadBlas({ setting: "/nonexistent/libcblas.so" });
    expect(r).toMatch(/^PRUNESWEEP_BLAS=\/nonexistent\/libcblas\.so did not load \(\/nonexistent\/libcblas\.so: .+\); set it to a CBLAS library file, or "off"$/);
  });

  it("a library without cblas_sgemm is refused", () => {
    expect(loadBlas({ setting: "libc.so.6" })).toBe("PRUNESWEEP_BLAS=libc.so.6 did not load (libc.so.6: loads but has no cblas_sgemm); set it to a CBLAS library file, or \"off\"");
  });

  it.skipIf(!blas)("auto finds the system BLAS, sets its threads, and it multiplies", () => {
    const lib = loadBlas({ threads: 1 });
    if (typeof lib === "string") throw new Error(lib);
    expect(lib.name.length).toBeGreaterThan(0);
    if (lib.threads !== undefined) expect(lib.threads).toBe(1);
    const c = new Float32Array(4);
    lib.sgemm(false, true, 2, 2, 2, 1, new Float32Array([1, 2, 3, 4]), 2, new Float32Array([5, 6, 7, 8]), 2, 0, c, 2);
    expect([...c]).toEqual([17, 23, 39, 53]);
    // A path given explicitly loads the same way.
    const again = loadBlas({ setting: lib.path, threads: 1 });
    expect(typeof again === "string" ? again : again.name).toBe(lib.name);
  });

  it("names what it tried and how to install a BLAS when none is found", () => {
    const r = loadBlas({ platform: "win32" });
    if (typeof r === "string") expect(r).toBe(`no system BLAS found (tried libopenblas.dll, mkl_rt.dll); ${BLAS_INSTALL_HINT}`);
  });
});

describe("BLAS environment", () => {
  it("reads PRUNESWEEP_BLAS and PRUNESWEEP_THREADS; --threads wins; bad counts are named", () => {
    expect(loadBlasEnvironment({})).toEqual({});
    expect(loadBlasEnvironment({ PRUNESWEEP_BLAS: "off", PRUNESWEEP_THREADS: "3" })).toEqual({ setting: "off", threads: 3 });
    expect(parseThreads("2", { PRUNESWEEP_THREADS: "3" })).toBe(2);
    expect(() => parseThreads("0", {})).toThrow('--threads: must be an integer >= 1, got "0"');
    expect(() => loadBlasEnvironment({ PRUNESWEEP_THREADS: "many" })).toThrow('PRUNESWEEP_THREADS: must be an integer >= 1, got "many"');
    expect(loadWorkerConfig({ threads: "3" }, {}).threads).toBe(3);
    expect(loadWorkerConfig({}, { PRUNESWEEP_THREADS: "2" }).threads).toBe(2);
    expect(loadWorkerConfig({}, {}).threads).toBeUndefined();
  });
});

describe("the wasm tiers without a BLAS", () => {
  for (const setting of ["off", "/nonexistent/libopenblas.so"]) {
    it(`PRUNESWEEP_BLAS=${setting}: auto falls back to stock wasm, saying why in its one line`, () => {
      const lines = selectIn("auto", { PRUNESWEEP_BLAS: setting });
      const sel = lines.filter((l) => l.msg === "tfjs backend selected");
      expect(sel).toHaveLength(1);
      const tiers = String(sel[0]?.fields["tiers"]);
      if (sel[0]?.fields["backend"] !== "wasm") return; // a native TensorFlow took precedence
      expect(tiers).toMatch(setting === "off" ? /wasm-blas: PRUNESWEEP_BLAS=off; wasm: selected/ : /wasm-blas: PRUNESWEEP_BLAS=\/nonexistent\/libopenblas\.so did not load .*; wasm: selected/);
      expect(sel[0]?.fields["blas"]).toMatch(/^none, stock kernels: PRUNESWEEP_BLAS=/);
      expect(lines.at(-1)?.fields["matmul"]).toBe("batchMatMul");
    });
  }

  it("explicit wasm takes the BLAS kernels where a BLAS loads, the stock ones where not", () => {
    const off = selectIn("wasm", { PRUNESWEEP_BLAS: "off" });
    expect(off[0]?.fields).toMatchObject({ backend: "wasm", blas: "none, stock kernels: PRUNESWEEP_BLAS=off" });
    expect(off.at(-1)?.fields["matmul"]).toBe("batchMatMul");
    if (!blas) return;
    const on = selectIn("wasm", { PRUNESWEEP_BLAS: blas.path, PRUNESWEEP_THREADS: "1" });
    expect(on[0]?.fields).toMatchObject({ backend: "wasm", blas: blas.name });
    expect(on.at(-1)?.fields["matmul"]).not.toBe("batchMatMul");
  });
});
