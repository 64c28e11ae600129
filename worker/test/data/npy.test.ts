import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseNpy, parseNpz } from "../../src/data/npy.js";
import { DatasetError } from "../../src/errors.js";
import { npyBytes, zipBytes } from "./fixtures.js";

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe("parseNpy", () => {
  it("reads every numeric dtype, keeping bytes as bytes", () => {
    const f4 = parseNpy(npyBytes("<f4", [2, 3], [0, 0.5, 1, -2, 3.25, 7]), "f4");
    expect(f4.shape).toEqual([2, 3]);
    expect(Array.from(f4.data)).toEqual([0, 0.5, 1, -2, 3.25, 7]);
    const u1 = parseNpy(npyBytes("|u1", [3], [0, 128, 255]), "u1");
    expect(u1.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(u1.data)).toEqual([0, 128, 255]);
    expect(Array.from(parseNpy(npyBytes("<i8", [3], [-1, 0, 9]), "i8").data)).toEqual([-1, 0, 9]);
    expect(Array.from(parseNpy(npyBytes("<f8", [1], [1e-300]), "f8").data)).toEqual([1e-300]);
  });

  it("reads the arrays numpy.savez and numpy.savez_compressed wrote (zip64 extras, deflate)", () => {
    // Made with numpy 2.4: x = arange(24).reshape(4, 2, 3) (float32; uint8 in the compressed one), y = [0, 1, 2, 1] (int64).
    for (const [name, dtype] of [
      ["numpy-savez.npz", "<f4"],
      ["numpy-savez-compressed.npz", "|u1"],
    ] as const) {
      const arrays = parseNpz(readFileSync(fixture(name)), name);
      expect([...arrays.keys()].sort()).toEqual(["x", "y"]);
      expect(arrays.get("x")?.dtype).toBe(dtype);
      expect(arrays.get("x")?.shape).toEqual([4, 2, 3]);
      expect(Array.from(arrays.get("x")?.data ?? [])).toEqual(Array.from({ length: 24 }, (_, i) => i));
      expect(Array.from(arrays.get("y")?.data ?? [])).toEqual([0, 1, 2, 1]);
    }
  });

  it("reads stored and deflated archives it did not write, with or without zip64 fields", () => {
    for (const [deflate, zip64] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      const arrays = parseNpz(zipBytes({ "a.npy": npyBytes("<i4", [2], [5, 6]), "notes.txt": Buffer.from("x") }, deflate, zip64), "a.npz");
      expect([...arrays.keys()]).toEqual(["a"]);
      expect(Array.from(arrays.get("a")?.data ?? [])).toEqual([5, 6]);
    }
  });

  it.each<[string, () => Buffer, RegExp]>([
    ["no magic", () => Buffer.from("not an array at all"), /"bad" is not a .npy file/],
    ["a truncated body", () => npyBytes("<f4", [4], [1, 2, 3, 4]).subarray(0, -3), /is truncated: shape \(4\) needs 16 data bytes, it has 13/],
    ["a string dtype", () => npyBytes("<f4", [1], [0], "{'descr': '<U3', 'fortran_order': False, 'shape': (1,), }"), /dtype "<U3" is not supported/],
    ["a Fortran-order matrix", () => npyBytes("<f4", [2, 2], [1, 2, 3, 4], "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }"), /Fortran-order/],
    ["a header without shape", () => npyBytes("<f4", [1], [0], "{'descr': '<f4', 'fortran_order': False}"), /header is malformed/],
  ])("rejects %s, naming the file", (_what, bytes, message) => {
    const err: unknown = (() => {
      try {
        return parseNpy(bytes(), '"bad"');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as Error).message).toMatch(message);
  });

  it("rejects a damaged archive: not a zip, a wrong CRC, a truncated entry", () => {
    const good = zipBytes({ "x.npy": npyBytes("<f4", [2], [1, 2]) });
    expect(() => parseNpz(Buffer.from("PK nothing here"), "junk.npz")).toThrow(/"junk.npz" is not a readable .npz \(zip\) archive: no end-of-central-directory/);
    const flipped = Buffer.from(good);
    const at = 30 + "x.npy".length + 20; // a data byte of the stored entry
    flipped[at] = (flipped[at] ?? 0) ^ 0xff;
    expect(() => parseNpz(flipped, "crc.npz")).toThrow(/"crc.npz" .*entry "x.npy" fails its size or CRC check/);
    expect(() => parseNpz(good.subarray(0, 40), "short.npz")).toThrow(/"short.npz"/);
  });
});
