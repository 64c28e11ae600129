import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { listImageFolder, sourceFiles, type DatasetFiles } from "../../src/data/dataset-files.js";
import { CIFAR10_FILES } from "../../src/data/cifar10.js";
import { writeTree } from "./fixtures.js";

describe("sourceFiles", () => {
  it("lists every file a source reads: none for built-in and generated data", async () => {
    const root = await mkdtemp(join(tmpdir(), "prunesweep-files-"));
    await writeTree(root, { "b/2.jpeg": "", "b/1.PNG": "", "a/z.jpg": "", "a/.hidden.png": "", "a/notes.md": "", ".git/x.png": "" });
    expect(await sourceFiles({ kind: "images", dir: root })).toEqual([join(root, "a/z.jpg"), join(root, "b/1.PNG"), join(root, "b/2.jpeg")]);
    expect(await sourceFiles({ kind: "npy", x: "x.npy", y: "y.npy" })).toEqual(["x.npy", "y.npy"]);
    expect(await sourceFiles({ kind: "npz", file: "d.npz", x: "x", y: "y" })).toEqual(["d.npz"]);
    expect(await sourceFiles({ kind: "csv", file: "d.csv", label: "l" })).toEqual(["d.csv"]);
    expect(await sourceFiles({ kind: "idx", images: "i", labels: "l" })).toEqual(["i", "l"]);
    expect(await sourceFiles({ kind: "cifar10", dir: "c" })).toEqual(CIFAR10_FILES.map((f) => join("c", f)));
    expect(await sourceFiles({ kind: "builtin", name: "mnist" })).toEqual([]);
    expect(await sourceFiles({ kind: "synthetic", samples: 2, features: 2, classes: 2 })).toEqual([]);
  });

  it("reads through any DatasetFiles, e.g. one backed by a manifest instead of a disk", async () => {
    const manifest: Record<string, string[]> = { data: ["cat", "dog"], "data/cat": ["1.png"], "data/dog": ["2.png", "3.png"] };
    const files: DatasetFiles = {
      read: () => Promise.resolve(Buffer.alloc(0)),
      list: (dir) => Promise.resolve((manifest[dir] ?? []).map((name) => ({ name, isDir: `${dir}/${name}` in manifest }))),
    };
    expect(await listImageFolder("data", files)).toEqual({
      classes: ["cat", "dog"],
      images: [
        { path: "data/cat/1.png", className: "cat" },
        { path: "data/dog/2.png", className: "dog" },
        { path: "data/dog/3.png", className: "dog" },
      ],
    });
  });
});
