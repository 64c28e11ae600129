/**
 * The on-disk dataset formats a task may name (`task.dataset`): their header constants, shared
 * with the worker's loaders, and a cheap check of a source's files (existence, headers and
 * sizes, no pixel read) that `prunesweep run` makes before anything starts.
 *
 * - IDX (MNIST, Fashion-MNIST): big-endian headers; images: magic 2051, count, rows, cols,
 *   then count·rows·cols bytes; labels: magic 2049, count, then count bytes. A file may be
 *   gzipped (it then starts with the gzip magic).
 * - CIFAR-10 binary: a directory of six batches, each a positive multiple of 3,073-byte
 *   records (1 label byte 0..9, then 3,072 pixel bytes).
 */
import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { createGunzip } from "node:zlib";
import type { DatasetSource } from "./shared-types.js";

/** Magic number of an IDX image file. */
export const IDX_IMAGES_MAGIC = 2051;
/** Magic number of an IDX label file. */
export const IDX_LABELS_MAGIC = 2049;
/** Bytes of one CIFAR-10 record: a label byte and 32·32·3 pixel bytes. */
export const CIFAR10_RECORD_BYTES = 3073;
/** File names of a CIFAR-10 binary directory, in the order they are read. */
export const CIFAR10_FILES: readonly string[] = [
  "data_batch_1.bin",
  "data_batch_2.bin",
  "data_batch_3.bin",
  "data_batch_4.bin",
  "data_batch_5.bin",
  "test_batch.bin",
];

/** One problem with a dataset file: where in `task.dataset` it is named, and what is wrong. */
export interface DatasetFileProblem {
  /** Dotted path of the spec value naming the file (`task.dataset.idx.images`). */
  readonly path: string;
  readonly message: string;
}

/** The first `n` bytes of a file's content (gunzipped when gzipped) and the content's size. */
async function head(file: string, n: number): Promise<{ bytes: Buffer; size: number }> {
  const fh = await open(file, "r");
  try {
    const { size } = await fh.stat();
    const magic = Buffer.alloc(2);
    await fh.read(magic, 0, 2, 0);
    if (size < 18 || magic[0] !== 0x1f || magic[1] !== 0x8b) {
      const bytes = Buffer.alloc(Math.min(n, size));
      await fh.read(bytes, 0, bytes.length, 0);
      return { bytes, size };
    }
    // gzip: ISIZE (the last 4 bytes) is the content's size mod 2^32.
    const tail = Buffer.alloc(4);
    await fh.read(tail, 0, 4, size - 4);
    return { bytes: await gunzipHead(file, n), size: tail.readUInt32LE(0) };
  } finally {
    await fh.close();
  }
}

/** Inflates only as much of a gzipped file as its first `n` content bytes need. */
function gunzipHead(file: string, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const src = createReadStream(file);
    const gz = createGunzip();
    const done = (): void => {
      src.destroy();
      gz.destroy();
      resolve(Buffer.concat(chunks).subarray(0, n));
    };
    gz.on("data", (c: Buffer) => {
      chunks.push(c);
      got += c.length;
      if (got >= n) done();
    });
    gz.on("end", done);
    gz.on("error", (err) => (got > 0 ? done() : reject(new Error(`not valid gzip (${err.message})`))));
    src.on("error", reject);
    src.pipe(gz);
  });
}

/** Why a file cannot be opened (`missing`, `a directory`, ...). */
async function unreadable(file: string, want: "file" | "directory"): Promise<string | undefined> {
  try {
    const s = await stat(file);
    if (want === "file" && !s.isFile()) return `"${file}" is not a file`;
    if (want === "directory" && !s.isDirectory()) return `"${file}" is not a directory`;
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? `"${file}" does not exist` : `"${file}" cannot be read (${code ?? String(err)})`;
  }
}

type IdxHeader = { readonly count: number } | { readonly problem: string };

/** Checks an IDX file's magic and that it holds what its header announces. */
async function idxHeader(file: string, kind: "image" | "label"): Promise<IdxHeader> {
  const missing = await unreadable(file, "file");
  if (missing) return { problem: missing };
  const [magic, headerBytes] = kind === "image" ? [IDX_IMAGES_MAGIC, 16] : [IDX_LABELS_MAGIC, 8];
  let h: { bytes: Buffer; size: number };
  try {
    h = await head(file, headerBytes);
  } catch (err) {
    return { problem: `"${file}" cannot be read as an IDX ${kind} file: ${(err as Error).message}` };
  }
  const what = `"${file}" is not an IDX ${kind} file`;
  const got = h.bytes.length >= 4 ? h.bytes.readUInt32BE(0) : undefined;
  if (got !== undefined && got !== magic) return { problem: `${what}: magic number ${got}, expected ${magic}` };
  if (h.bytes.length < headerBytes) return { problem: `${what}: ${h.size} bytes, shorter than the ${headerBytes}-byte header` };
  const count = h.bytes.readUInt32BE(4);
  const need = kind === "image" ? headerBytes + count * h.bytes.readUInt32BE(8) * h.bytes.readUInt32BE(12) : headerBytes + count;
  if (h.size < need) return { problem: `"${file}" is truncated: ${h.size} bytes, its IDX header announces ${need}` };
  if (count === 0) return { problem: `"${file}" holds no ${kind}s` };
  return { count };
}

/** Checks a CIFAR-10 binary directory: the six batches, each whole records with a valid first label. */
async function cifarProblems(dir: string): Promise<string[]> {
  const notDir = await unreadable(dir, "directory");
  if (notDir) return [notDir];
  const problems: string[] = [];
  for (const name of CIFAR10_FILES) {
    const file = `${dir.replace(/\/+$/, "")}/${name}`;
    const missing = await unreadable(file, "file");
    if (missing) {
      problems.push(`${missing} (a CIFAR-10 binary directory holds ${CIFAR10_FILES.join(", ")})`);
      continue;
    }
    const h = await head(file, 1);
    if (h.size === 0 || h.size % CIFAR10_RECORD_BYTES !== 0) {
      problems.push(`"${file}" is not a CIFAR-10 binary batch: ${h.size} bytes, not a positive multiple of ${CIFAR10_RECORD_BYTES}`);
    } else if ((h.bytes[0] ?? 0) > 9) {
      problems.push(`"${file}" is not a CIFAR-10 binary batch: its first record has label ${h.bytes[0]}, expected 0..9`);
    }
  }
  return problems;
}

/**
 * Problems with the files of a dataset source, each located at the spec value that names the
 * file; empty when every file is there and its header and size fit its format. Reads headers
 * only (and a gzipped file's size from its trailer). Relative paths resolve against the
 * current directory, as the worker's loaders do.
 */
export async function datasetFileProblems(source: DatasetSource): Promise<DatasetFileProblem[]> {
  switch (source.kind) {
    case "idx": {
      const images = await idxHeader(source.images, "image");
      const labels = await idxHeader(source.labels, "label");
      const out: DatasetFileProblem[] = [];
      if ("problem" in images) out.push({ path: "task.dataset.idx.images", message: images.problem });
      if ("problem" in labels) out.push({ path: "task.dataset.idx.labels", message: labels.problem });
      if ("count" in images && "count" in labels && images.count !== labels.count) {
        out.push({
          path: "task.dataset.idx.labels",
          message: `"${source.labels}" holds ${labels.count} labels but "${source.images}" holds ${images.count} images; the files must be a matching pair`,
        });
      }
      return out;
    }
    case "cifar10":
      return (await cifarProblems(source.dir)).map((message) => ({ path: "task.dataset.cifar10", message }));
    default:
      return [];
  }
}
