import { mkdtempSync, readdirSync, rmSync, truncateSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadBuiltinMnist, parseDigitFile } from "../../src/data/builtin-mnist.js";

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe("parseDigitFile", () => {
  it("reads plain decimals exactly as JSON.parse does (as float32)", () => {
    const values = ["0", "1", "0.2", "0.624", "0.992", "0.196", "0.1", "0.3", "0.7", "12.5", "0.000001", "123456789.012345"];
    const text = `{ "data": [${values.join(",")}] }\n`;
    const want = Float32Array.from(JSON.parse(text).data as number[]);
    expect(parseDigitFile(bytes(text))).toEqual(want);
    expect(parseDigitFile(bytes('{"data":[]}'))).toEqual(new Float32Array(0));
    expect(parseDigitFile(bytes(' {\n"data" :\t[ 0.5 ,1 ]\r\n}'))).toEqual(Float32Array.from([0.5, 1]));
  });

  it("declines anything but plain decimals, so that JSON.parse reads it", () => {
    for (const text of ['{"data":[1e-3]}', '{"data":[-0.5]}', '{"data":[0.5,]}', '{"data":[.5]}', '{"data":[5.]}', '{"data":[0.5]', '{"data":[0.5]} x', '{"other":[1]}', '{"data":[1234567890123456]}', "[1,2]"]) {
      expect(parseDigitFile(bytes(text)), text).toBeUndefined();
    }
  });
});

describe("loadBuiltinMnist", () => {
  it("gives the package's own digits, bit for bit, in class order", () => {
    const digits = createRequire(import.meta.url)("mnist") as { raw: number[]; length: number }[];
    // A cache folder of its own: the digits are decoded from the package's files here.
    const fresh = mkdtempSync(join(tmpdir(), "prunesweep-mnist-fresh-"));
    const got = loadBuiltinMnist(fresh);
    rmSync(fresh, { recursive: true, force: true });
    expect(got.count).toBe(digits.slice(0, 10).reduce((a, d) => a + d.length, 0));
    let row = 0;
    for (let d = 0; d < 10; d++) {
      const digit = digits[d]!;
      const n = digit.length * 784;
      const want = Float32Array.from(digit.raw.slice(0, n));
      let differ = 0;
      for (let i = 0; i < n; i++) if (!Object.is(got.x[row * 784 + i], want[i])) differ++;
      expect(differ, `digit ${d}`).toBe(0);
      expect(got.y.subarray(row, row + digit.length).every((v) => v === d)).toBe(true);
      row += digit.length;
    }
  });
});

describe("loadBuiltinMnist's decoded copy", () => {
  const dir = mkdtempSync(join(tmpdir(), "prunesweep-mnist-cache-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is written by the first load and read back, bit for bit, by the next; a damaged one is decoded again", () => {
    const first = loadBuiltinMnist(dir);
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^mnist-[0-9a-f]{32}\.bin$/);
    const again = loadBuiltinMnist(dir);
    expect(again.count).toBe(first.count);
    expect(Buffer.from(again.x.buffer, again.x.byteOffset, again.x.byteLength).equals(Buffer.from(first.x.buffer, first.x.byteOffset, first.x.byteLength))).toBe(true);
    expect(Array.from(again.y)).toEqual(Array.from(first.y));
    expect(again).toMatchObject({ scale: 1, inputShape: [28, 28, 1], numClasses: 10, name: "mnist" });
    // Cut short (as by a full disk): not whole, so the digits are decoded again, and the copy rewritten.
    truncateSync(join(dir, files[0]!), 1000);
    const repaired = loadBuiltinMnist(dir);
    expect(Array.from(repaired.x.subarray(0, 5000))).toEqual(Array.from(first.x.subarray(0, 5000)));
    expect(repaired.count).toBe(first.count);
    expect(loadBuiltinMnist(dir).count).toBe(first.count);
  });
});
