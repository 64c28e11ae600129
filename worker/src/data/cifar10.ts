/**
 * CIFAR-10 binary batches (`data_batch_1.bin` .. `data_batch_5.bin`, `test_batch.bin`):
 * 10,000 records of 3,073 bytes each (1 label byte, then 1,024 R, 1,024 G, 1,024 B bytes,
 * row-major 32x32). Pixels are converted to HWC (`[32, 32, 3]`, the tfjs layout) and kept as
 * bytes. The five training batches are split by seed into train and validation; the official
 * test batch is the test split, so that accuracy is comparable with published numbers.
 */
import { join } from "node:path";
import { CIFAR10_FILES, CIFAR10_RECORD_BYTES as RECORD_BYTES } from "@prunesweep/proto";
import { DatasetError } from "../errors.js";
import type { DatasetFiles } from "./dataset-files.js";
import { readFilesInOrder } from "./idx.js";
import type { RawExamples } from "./types.js";

const PIXELS = 32 * 32;

/** File names read from the CIFAR-10 directory, in order. */
export { CIFAR10_FILES };

/** Parses one CIFAR-10 batch into HWC bytes and labels. */
function parseCifarBatch(buf: Buffer, path: string): { x: Uint8Array; y: Int32Array; count: number } {
  if (buf.length === 0 || buf.length % RECORD_BYTES !== 0) {
    throw new DatasetError(`CIFAR-10 batch "${path}" has ${buf.length} bytes, not a positive multiple of ${RECORD_BYTES}`);
  }
  const count = buf.length / RECORD_BYTES;
  const x = new Uint8Array(count * PIXELS * 3);
  const y = new Int32Array(count);
  for (let r = 0; r < count; r++) {
    const off = r * RECORD_BYTES;
    const label = buf[off] ?? 0;
    if (label > 9) throw new DatasetError(`CIFAR-10 batch "${path}": record ${r} has label ${label}, expected 0..9`);
    y[r] = label;
    const out = r * PIXELS * 3;
    for (let p = 0; p < PIXELS; p++) {
      x[out + p * 3] = buf[off + 1 + p] ?? 0;
      x[out + p * 3 + 1] = buf[off + 1 + PIXELS + p] ?? 0;
      x[out + p * 3 + 2] = buf[off + 1 + 2 * PIXELS + p] ?? 0;
    }
  }
  return { x, y, count };
}

/** Concatenates parsed batches. */
function concat(parts: readonly { x: Uint8Array; y: Int32Array; count: number }[]): { x: Uint8Array; y: Int32Array; count: number } {
  const count = parts.reduce((a, p) => a + p.count, 0);
  const x = new Uint8Array(count * PIXELS * 3);
  const y = new Int32Array(count);
  let row = 0;
  for (const p of parts) {
    x.set(p.x, row * PIXELS * 3);
    y.set(p.y, row);
    row += p.count;
  }
  return { x, y, count };
}

/**
 * Loads the six CIFAR-10 batches from `dir`: the five training batches, with the test batch
 * as their {@link RawExamples.test}. A missing or malformed file throws DatasetError naming
 * it (the first such file in {@link CIFAR10_FILES} order).
 */
export async function loadCifar10(dir: string, files?: DatasetFiles): Promise<RawExamples> {
  const paths = CIFAR10_FILES.map((f) => join(dir, f));
  const bufs = await readFilesInOrder(paths, files);
  const parts = bufs.map((buf, i) => parseCifarBatch(buf, paths[i] as string));
  const name = `cifar10:${dir}`;
  const common = { scale: 1 / 255, inputShape: [32, 32, 3], numClasses: 10 };
  const test = { ...concat(parts.slice(-1)), ...common, name: `${name} (test_batch.bin)` };
  return { ...concat(parts.slice(0, -1)), ...common, name, test };
}
