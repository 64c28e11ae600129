import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadNpyPair, loadNpz } from "../../src/data/arrays.js";
import { DatasetError } from "../../src/errors.js";
import { npyBytes, writeTree, zipBytes } from "./fixtures.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "prunesweep-arrays-"));
  await writeTree(dir, {
    "x.npy": npyBytes("<f4", [3, 2], [1, 2, 3, 4, 5, 6]),
    "y.npy": npyBytes("<i8", [3], [0, 2, 1]),
    "img.npy": npyBytes("|u1", [2, 2, 2], [0, 64, 128, 255, 1, 2, 3, 4]),
    "y2.npy": npyBytes("<i8", [2, 1], [1, 0]),
    "y-short.npy": npyBytes("<i8", [2], [0, 1]),
    "y-negative.npy": npyBytes("<i8", [3], [0, -1, 1]),
    "y-fraction.npy": npyBytes("<f4", [3], [0, 1.5, 1]),
    "x-nan.npy": npyBytes("<f4", [3, 2], [1, 2, Number.NaN, 4, 5, 6]),
    "x-flat.npy": npyBytes("<f4", [3], [1, 2, 3]),
    "data.npz": zipBytes({ "x.npy": npyBytes("<f4", [3, 2], [1, 2, 3, 4, 5, 6]), "labels.npy": npyBytes("<i4", [3], [1, 1, 0]) }, true),
  });
});

const npy = (x: string, y: string) => loadNpyPair({ kind: "npy", x: join(dir, x), y: join(dir, y) });

describe("NumPy datasets", () => {
  it("loads an x/y pair: float features, integer labels", async () => {
    const raw = await npy("x.npy", "y.npy");
    expect(raw.count).toBe(3);
    expect(raw.inputShape).toEqual([2]);
    expect(Array.from(raw.x)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(raw.y)).toEqual([0, 2, 1]);
    expect(raw.numClasses).toBe(3);
    expect(raw.scale).toBe(1);
  });

  it("keeps uint8 images as bytes scaled by 1/255, with a channel axis added to 2-D examples", async () => {
    const raw = await npy("img.npy", "y2.npy");
    expect(raw.inputShape).toEqual([2, 2, 1]);
    expect(raw.x).toBeInstanceOf(Uint8Array);
    expect(raw.scale).toBeCloseTo(1 / 255);
    expect(Array.from(raw.y)).toEqual([1, 0]);
  });

  it("loads the named arrays of an .npz archive, and names the ones it holds when one is missing", async () => {
    const raw = await loadNpz({ kind: "npz", file: join(dir, "data.npz"), x: "x", y: "labels" });
    expect(Array.from(raw.y)).toEqual([1, 1, 0]);
    expect(raw.inputShape).toEqual([2]);
    await expect(loadNpz({ kind: "npz", file: join(dir, "data.npz"), x: "x", y: "y" })).rejects.toThrow(/data.npz" has no array "y"; it holds: x, labels/);
  });

  it.each<[string, string, string, RegExp]>([
    ["an x/y length mismatch", "x.npy", "y-short.npy", /x\/y length mismatch: ".*x.npy" has 3 examples, ".*y-short.npy" has 2 labels/],
    ["a negative label", "x.npy", "y-negative.npy", /y-negative.npy": label -1 of example 1 is out of range: labels must be class indices, integers >= 0/],
    ["a fractional label", "x.npy", "y-fraction.npy", /y-fraction.npy": label 1.5 of example 1 is out of range/],
    ["a non-finite input", "x-nan.npy", "y.npy", /x-nan.npy": value NaN at flat index 2 \(example 1\) is not finite/],
    ["x without an example axis", "x-flat.npy", "y.npy", /x-flat.npy": x has shape \(3\); expected \(examples, features...\)/],
    ["a missing file", "nope.npy", "y.npy", /cannot read dataset file ".*nope.npy" \(ENOENT\)/],
  ])("rejects %s, naming the file", async (_what, x, y, message) => {
    const err: unknown = await npy(x, y).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as Error).message).toMatch(message);
  });
});
