/**
 * The files a dataset is read from. Loaders never touch the file system directly: they read
 * through a {@link DatasetFiles}, and {@link sourceFiles} lists every file a source reads, so
 * that a dataset is fully described by a list of files (which may be uploaded and cached by
 * content hash, with a {@link DatasetFiles} that reads from that cache). Today's
 * implementation, {@link localFiles}, reads local paths.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { DatasetSource } from "@prunesweep/proto";
import { DatasetError } from "../errors.js";
import { CIFAR10_FILES } from "./cifar10.js";

/** Read access to the files of datasets. Every error is a DatasetError naming the path. */
export interface DatasetFiles {
  /** The bytes of the file at `path`. */
  read(path: string): Promise<Buffer>;
  /** The entries of directory `dir`, sorted by name. */
  list(dir: string): Promise<readonly { readonly name: string; readonly isDir: boolean }[]>;
}

const errCode = (err: unknown): string => {
  const code = (err as NodeJS.ErrnoException).code;
  return code ? ` (${code})` : "";
};

/** {@link DatasetFiles} on the local file system; paths as the worker sees them. */
export const localFiles: DatasetFiles = {
  async read(path) {
    try {
      return await readFile(path);
    } catch (err) {
      throw new DatasetError(`cannot read dataset file "${path}"${errCode(err)}`, { cause: err });
    }
  },
  async list(dir) {
    try {
      const entries = await readdir(dir, { withFileTypes: true });
      return entries.map((e) => ({ name: e.name, isDir: e.isDirectory() })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (err) {
      throw new DatasetError(`cannot list dataset folder "${dir}"${errCode(err)}`, { cause: err });
    }
  },
};

/** File name endings read as images (case-insensitive). */
const IMAGE_EXTENSIONS: readonly string[] = [".png", ".jpg", ".jpeg"];

/** One image of an image folder and its class (the sub-folder's name). */
export interface ImageFile {
  readonly path: string;
  readonly className: string;
}

/**
 * The images of an image folder, class by class (sorted sub-folder names), files sorted by
 * name. Files that are not images are skipped; hidden entries (`.name`) too.
 * @throws DatasetError for a folder without class sub-folders or a class folder without images
 */
export async function listImageFolder(dir: string, files: DatasetFiles = localFiles): Promise<{ classes: string[]; images: ImageFile[] }> {
  const classes = (await files.list(dir)).filter((e) => e.isDir && !e.name.startsWith(".")).map((e) => e.name);
  if (classes.length === 0) throw new DatasetError(`image folder "${dir}" has no class sub-folders (expected one sub-folder of images per class)`);
  const images: ImageFile[] = [];
  for (const className of classes) {
    const sub = join(dir, className);
    const inClass = (await files.list(sub)).filter((e) => !e.isDir && !e.name.startsWith(".") && IMAGE_EXTENSIONS.some((x) => e.name.toLowerCase().endsWith(x)));
    if (inClass.length === 0) throw new DatasetError(`class folder "${sub}" is empty: it holds no ${IMAGE_EXTENSIONS.join("/")} files`);
    for (const e of inClass) images.push({ path: join(sub, e.name), className });
  }
  return { classes, images };
}

/** Every file `source` reads (none for built-in and generated data), in reading order. */
export async function sourceFiles(source: DatasetSource, files: DatasetFiles = localFiles): Promise<string[]> {
  switch (source.kind) {
    case "builtin":
    case "synthetic":
      return [];
    case "idx":
      return [source.images, source.labels];
    case "cifar10":
      return CIFAR10_FILES.map((f) => join(source.dir, f));
    case "images":
      return (await listImageFolder(source.dir, files)).images.map((i) => i.path);
    case "npy":
      return [source.x, source.y];
    case "npz":
    case "csv":
      return [source.file];
  }
}
