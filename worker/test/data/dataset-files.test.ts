import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { listImageFolder, sourceFiles, uploadedFiles, type DatasetFiles } from "../../src/data/dataset-files.js";
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

describe("uploadedFiles", () => {
  it("reads a dataset's paths, as the submitter named them, from the materialised set, and lists folders from the set's names", async () => {
    const cache = await mkdtemp(join(tmpdir(), "prunesweep-set-"));
    await writeTree(cache, { "train/a/1.png": "one", "train/b/2.png": "two", "test.csv": "x,y" });
    const blob = (name: string): { name: string; sha256: string; size: number } => ({ name, sha256: "0".repeat(64), size: 1 });
    const files = uploadedFiles({ cwd: "/home/me/project", root: "/home/me/project/data", blobs: [blob("train/a/1.png"), blob("train/b/2.png"), blob("test.csv")] }, cache);
    // Relative paths resolve against the submitter's working directory, absolute ones as they are.
    expect((await files.read("data/train/a/1.png")).toString()).toBe("one");
    expect((await files.read("/home/me/project/data/test.csv")).toString()).toBe("x,y");
    expect(await files.list("/home/me/project/data")).toEqual([
      { name: "test.csv", isDir: false },
      { name: "train", isDir: true },
    ]);
    expect(await listImageFolder("data/train", files)).toEqual({
      classes: ["a", "b"],
      images: [
        { path: join("data/train", "a", "1.png"), className: "a" },
        { path: join("data/train", "b", "2.png"), className: "b" },
      ],
    });
    await expect(files.read("data/other.csv")).rejects.toThrow('dataset file "data/other.csv" is not among the 3 uploaded files of the dataset (under "/home/me/project/data")');
    await expect(files.read("/etc/passwd")).rejects.toThrow('dataset file "/etc/passwd" is not among the 3 uploaded files');
    await expect(files.list("data/none")).rejects.toThrow('cannot list dataset folder "data/none": no uploaded file of the dataset lies in it');
  });
});
