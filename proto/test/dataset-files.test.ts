import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { CIFAR10_FILES, datasetFileProblems } from "../src/dataset-files.js";

const dir = mkdtempSync(join(tmpdir(), "prunesweep-dataset-files-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

/** An IDX image file of `count` images of rows x cols (header + pixels, or `pixels` bytes). */
function idxImages(count: number, rows: number, cols: number, pixels = count * rows * cols, magic = 2051): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt32BE(magic, 0);
  h.writeUInt32BE(count, 4);
  h.writeUInt32BE(rows, 8);
  h.writeUInt32BE(cols, 12);
  return Buffer.concat([h, Buffer.alloc(pixels)]);
}

function idxLabels(count: number, labels = count): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt32BE(2049, 0);
  h.writeUInt32BE(count, 4);
  return Buffer.concat([h, Buffer.alloc(labels)]);
}

describe("datasetFileProblems", () => {
  it("accepts a matching IDX pair, plain or gzipped, and needs no check for builtin or synthetic data", async () => {
    const images = file("ok-images.idx", idxImages(3, 4, 4));
    const labels = file("ok-labels.idx.gz", gzipSync(idxLabels(3)));
    expect(await datasetFileProblems({ kind: "idx", images, labels })).toEqual([]);
    expect(await datasetFileProblems({ kind: "builtin", name: "mnist" })).toEqual([]);
    expect(await datasetFileProblems({ kind: "synthetic", samples: 1, features: 1, classes: 2 })).toEqual([]);
  });

  it("names each missing IDX file at its spec path", async () => {
    const images = join(dir, "nope-images.idx");
    const labels = join(dir, "nope-labels.idx");
    expect(await datasetFileProblems({ kind: "idx", images, labels })).toEqual([
      { path: "task.dataset.idx.images", message: `"${images}" does not exist` },
      { path: "task.dataset.idx.labels", message: `"${labels}" does not exist` },
    ]);
  });

  it("rejects files that are not IDX, truncated, swapped or of different counts", async () => {
    const text = file("text.csv", Buffer.from("a,b,c\n1,2,3\n1,2,3\n1,2,3\n"));
    const labels = file("labels.idx", idxLabels(3));
    expect(await datasetFileProblems({ kind: "idx", images: text, labels })).toEqual([
      { path: "task.dataset.idx.images", message: `"${text}" is not an IDX image file: magic number ${Buffer.from("a,b,").readUInt32BE(0)}, expected 2051` },
    ]);
    const short = file("short.idx", idxImages(3, 4, 4, 20));
    expect(await datasetFileProblems({ kind: "idx", images: short, labels })).toEqual([
      { path: "task.dataset.idx.images", message: `"${short}" is truncated: 36 bytes, its IDX header announces 64` },
    ]);
    const images = file("images.idx", idxImages(3, 4, 4));
    expect((await datasetFileProblems({ kind: "idx", images: labels, labels: images })).map((p) => p.message)).toEqual([
      `"${labels}" is not an IDX image file: magic number 2049, expected 2051`,
      `"${images}" is not an IDX label file: magic number 2051, expected 2049`,
    ]);
    const four = file("four-labels.idx", idxLabels(4));
    expect(await datasetFileProblems({ kind: "idx", images, labels: four })).toEqual([
      { path: "task.dataset.idx.labels", message: `"${four}" holds 4 labels but "${images}" holds 3 images; the files must be a matching pair` },
    ]);
    expect(await datasetFileProblems({ kind: "idx", images: dir, labels })).toEqual([{ path: "task.dataset.idx.images", message: `"${dir}" is not a file` }]);
  });

  it("checks a CIFAR-10 directory: every batch present, whole records, a label 0..9 first", async () => {
    const cifar = join(dir, "cifar");
    mkdirSync(cifar);
    for (const f of CIFAR10_FILES) writeFileSync(join(cifar, f), Buffer.alloc(3073 * 2));
    expect(await datasetFileProblems({ kind: "cifar10", dir: cifar })).toEqual([]);
    rmSync(join(cifar, "data_batch_2.bin"));
    writeFileSync(join(cifar, "test_batch.bin"), Buffer.alloc(3000));
    writeFileSync(join(cifar, "data_batch_4.bin"), Buffer.alloc(3073, 200));
    expect(await datasetFileProblems({ kind: "cifar10", dir: cifar })).toEqual([
      { path: "task.dataset.cifar10", message: expect.stringMatching(/data_batch_2\.bin" does not exist \(a CIFAR-10 binary directory holds data_batch_1\.bin, /) as unknown },
      { path: "task.dataset.cifar10", message: `"${join(cifar, "data_batch_4.bin")}" is not a CIFAR-10 binary batch: its first record has label 200, expected 0..9` },
      { path: "task.dataset.cifar10", message: `"${join(cifar, "test_batch.bin")}" is not a CIFAR-10 binary batch: 3000 bytes, not a positive multiple of 3073` },
    ]);
    expect(await datasetFileProblems({ kind: "cifar10", dir: join(dir, "no-cifar") })).toEqual([
      { path: "task.dataset.cifar10", message: `"${join(dir, "no-cifar")}" does not exist` },
    ]);
  });
});
