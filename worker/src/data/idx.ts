/**
 * IDX files (the MNIST / Fashion-MNIST format): big-endian headers, unsigned bytes.
 * Images: magic 2051, count, rows, cols, then count*rows*cols pixels.
 * Labels: magic 2049, count, then count labels. Gzipped files (`.gz` or gzip magic) are
 * inflated transparently.
 */
import { gunzipSync } from "node:zlib";
import { IDX_IMAGES_MAGIC as IMAGES_MAGIC, IDX_LABELS_MAGIC as LABELS_MAGIC } from "@prunesweep/proto";
import { DatasetError } from "../errors.js";
import { localFiles, type DatasetFiles } from "./dataset-files.js";
import type { RawExamples } from "./types.js";

/** Reads a file, gunzipping it when it starts with the gzip magic; errors name the path. */
async function readMaybeGzip(path: string, files: DatasetFiles): Promise<Buffer> {
  let buf = await files.read(path);
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = gunzipSync(buf);
    } catch (err) {
      throw new DatasetError(`dataset file "${path}" is not valid gzip`, { cause: err });
    }
  }
  return buf;
}

/**
 * Reads several files concurrently (each with {@link readMaybeGzip}). When some cannot be
 * read, the error is the one of the first such file in `paths` order, whichever failed first
 * in time, so the message is the same on every run.
 */
export async function readFilesInOrder(paths: readonly string[], files: DatasetFiles = localFiles): Promise<Buffer[]> {
  const settled = await Promise.allSettled(paths.map((p) => readMaybeGzip(p, files)));
  const failed = settled.find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<Buffer>).value);
}

/** Parses an IDX image file; returns the pixel bytes and the image shape. */
function parseIdxImages(buf: Buffer, path: string): { pixels: Uint8Array; count: number; rows: number; cols: number } {
  if (buf.length < 16) throw new DatasetError(`IDX image file "${path}" is too short (${buf.length} bytes)`);
  const magic = buf.readUInt32BE(0);
  if (magic !== IMAGES_MAGIC) throw new DatasetError(`IDX image file "${path}" has magic ${magic}, expected ${IMAGES_MAGIC}`);
  const count = buf.readUInt32BE(4);
  const rows = buf.readUInt32BE(8);
  const cols = buf.readUInt32BE(12);
  const need = 16 + count * rows * cols;
  if (buf.length < need) throw new DatasetError(`IDX image file "${path}" is truncated: ${buf.length} bytes, header says ${need}`);
  return { pixels: new Uint8Array(buf.buffer, buf.byteOffset + 16, count * rows * cols), count, rows, cols };
}

/** Parses an IDX label file. */
function parseIdxLabels(buf: Buffer, path: string): Uint8Array {
  if (buf.length < 8) throw new DatasetError(`IDX label file "${path}" is too short (${buf.length} bytes)`);
  const magic = buf.readUInt32BE(0);
  if (magic !== LABELS_MAGIC) throw new DatasetError(`IDX label file "${path}" has magic ${magic}, expected ${LABELS_MAGIC}`);
  const count = buf.readUInt32BE(4);
  if (buf.length < 8 + count) throw new DatasetError(`IDX label file "${path}" is truncated: ${buf.length} bytes, header says ${8 + count}`);
  return new Uint8Array(buf.buffer, buf.byteOffset + 8, count);
}

/** Loads a pair of IDX files. Pixels are kept as bytes and scaled to [0, 1] when split. */
export async function loadIdx(imagesPath: string, labelsPath: string, files: DatasetFiles = localFiles): Promise<RawExamples> {
  const [imgBuf, lblBuf] = (await readFilesInOrder([imagesPath, labelsPath], files)) as [Buffer, Buffer];
  const { pixels, count, rows, cols } = parseIdxImages(imgBuf, imagesPath);
  const labels = parseIdxLabels(lblBuf, labelsPath);
  if (labels.length !== count) {
    throw new DatasetError(`IDX files disagree: "${imagesPath}" has ${count} images, "${labelsPath}" has ${labels.length} labels`);
  }
  if (count === 0) throw new DatasetError(`IDX image file "${imagesPath}" holds no images`);
  const y = Int32Array.from(labels);
  let maxLabel = 0;
  for (const l of labels) if (l > maxLabel) maxLabel = l;
  return {
    x: Uint8Array.from(pixels),
    scale: 1 / 255,
    y,
    count,
    inputShape: [rows, cols, 1],
    numClasses: Math.max(2, maxLabel + 1),
    name: imagesPath,
  };
}
