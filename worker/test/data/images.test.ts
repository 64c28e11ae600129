import { mkdir, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadImageFolder } from "../../src/data/images.js";
import { DatasetError } from "../../src/errors.js";
import { jpegBytes, pngBytes, writeTree } from "./fixtures.js";

let root: string;
const gray = (v: number) => (): [number, number, number] => [v, v, v];
const red = (): [number, number, number] => [255, 0, 0];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "prunesweep-images-"));
});

async function folder(name: string, files: Record<string, Buffer | string>): Promise<string> {
  return writeTree(join(root, name), files);
}

describe("image folders", () => {
  it("reads PNG and JPEG files class by class; all gray gives one channel, pixels as bytes", async () => {
    const dir = await folder("gray", {
      "cat/b.png": pngBytes(4, 3, gray(10)),
      "cat/a.jpg": jpegBytes(4, 3, gray(200)),
      "cat/readme.txt": "not an image",
      "dog/c.PNG": pngBytes(4, 3, gray(250)),
    });
    const raw = await loadImageFolder({ kind: "images", dir });
    expect(raw.count).toBe(3);
    expect(raw.inputShape).toEqual([3, 4, 1]);
    expect(raw.classNames).toEqual(["cat", "dog"]);
    expect(raw.numClasses).toBe(2);
    expect(Array.from(raw.y)).toEqual([0, 0, 1]);
    expect(raw.scale).toBeCloseTo(1 / 255);
    // a.jpg sorts before b.png; JPEG is lossy, PNG exact.
    expect(Math.abs((raw.x[0] ?? 0) - 200)).toBeLessThanOrEqual(3);
    expect(raw.x[12]).toBe(10);
    expect(raw.x[24]).toBe(250);
  });

  it("gives three channels when an image has colour, and converts to a set size and channel count", async () => {
    const dir = await folder("colour", { "a/1.png": pngBytes(2, 2, red), "b/2.png": pngBytes(2, 2, gray(100)) });
    const rgb = await loadImageFolder({ kind: "images", dir });
    expect(rgb.inputShape).toEqual([2, 2, 3]);
    expect(Array.from(rgb.x.subarray(0, 3))).toEqual([255, 0, 0]);
    const small = await loadImageFolder({ kind: "images", dir, size: [1, 1], channels: 1 });
    expect(small.inputShape).toEqual([1, 1, 1]);
    expect(Array.from(small.x)).toEqual([Math.round(0.299 * 255), 100]);
    // The model's input (the target) wins over the spec's settings.
    const big = await loadImageFolder({ kind: "images", dir, channels: 1 }, { size: [4, 6], channels: 3 });
    expect(big.inputShape).toEqual([4, 6, 3]);
    expect(big.x.length).toBe(2 * 4 * 6 * 3);
  });

  it("resizes bilinearly: a left-to-right ramp stays a ramp", async () => {
    const dir = await folder("ramp", { "a/1.png": pngBytes(4, 1, (x) => [x * 80, x * 80, x * 80]), "b/1.png": pngBytes(4, 1, gray(0)) });
    const raw = await loadImageFolder({ kind: "images", dir, size: [1, 8] });
    const row = Array.from(raw.x.subarray(0, 8));
    for (let i = 1; i < 8; i++) expect(row[i]).toBeGreaterThanOrEqual(row[i - 1] ?? 0);
    expect(row[0]).toBe(0);
    expect(row[7]).toBe(240);
  });

  it.each<[string, () => Promise<string>, RegExp]>([
    ["a folder without class sub-folders", () => folder("flat", { "1.png": pngBytes(2, 2, red) }), /image folder ".*flat" has no class sub-folders/],
    [
      "an empty class folder",
      async () => {
        const dir = await folder("empty-class", { "a/1.png": pngBytes(2, 2, red), "b/notes.txt": "no images" });
        await mkdir(join(dir, "c"));
        return dir;
      },
      /class folder ".*empty-class\/b" is empty: it holds no .png\/.jpg\/.jpeg files/,
    ],
    ["an unreadable image", () => folder("corrupt", { "a/1.png": pngBytes(2, 2, red), "b/2.png": pngBytes(2, 2, red).subarray(0, 30) }), /image ".*corrupt\/b\/2.png" is unreadable/],
    ["a file that is no image", () => folder("fake", { "a/1.png": pngBytes(2, 2, red), "b/2.jpg": "GIF89a" }), /image ".*fake\/b\/2.jpg" is unreadable: not a PNG or JPEG file/],
    [
      "an image of another size",
      () => folder("sizes", { "a/1.png": pngBytes(4, 4, red), "b/2.png": pngBytes(5, 4, red) }),
      /image ".*sizes\/b\/2.png" is 5x4 pixels \(width x height\), but ".*sizes\/a\/1.png" is 4x4: images must have one size, or set size: \[height, width\]/,
    ],
    ["a missing folder", async () => join(root, "nope"), /cannot list dataset folder ".*nope" \(ENOENT\)/],
  ])("rejects %s, naming it", async (_what, make, message) => {
    const dir = await make();
    const err: unknown = await loadImageFolder({ kind: "images", dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as Error).message).toMatch(message);
  });
});
