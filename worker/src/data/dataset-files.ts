/**
 * The files a dataset is read from. Loaders never touch the file system directly: they read
 * through a {@link DatasetFiles}, and {@link sourceFiles} lists every file a source reads, so
 * that a dataset is fully described by a list of files (which may be uploaded and cached by
 * content hash, with a {@link DatasetFiles} that reads from that cache): {@link localFiles}
 * reads local paths, {@link uploadedFiles} the uploaded copy of a dataset's files.
 */
import { readdir, readFile } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import { CIFAR10_FILES, type DatasetFilesRef, type DatasetSource } from "@prunesweep/proto";
import { DatasetError } from "../errors.js";

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

/**
 * {@link DatasetFiles} on the uploaded copy of a dataset (`task.datasetFiles`) materialised in
 * `dir` (its blobs under their names): the dataset's paths, as the submitter saw them, map to
 * the blobs; folders are listed from the set's names, so only uploaded files exist.
 */
export function uploadedFiles(ref: DatasetFilesRef, dir: string): DatasetFiles {
  const names = new Set(ref.blobs.map((b) => b.name));
  const inSet = (path: string): string => {
    const rel = relative(ref.root, resolve(ref.cwd, path));
    return rel.startsWith("..") || isAbsolute(rel) ? "\0" : rel;
  };
  return {
    async read(path) {
      const rel = inSet(path);
      if (!names.has(rel)) throw new DatasetError(`dataset file "${path}" is not among the ${names.size} uploaded files of the dataset (under "${ref.root}")`);
      try {
        return await readFile(join(dir, rel));
      } catch (err) {
        throw new DatasetError(`cannot read the cached copy of dataset file "${path}"${errCode(err)}`, { cause: err });
      }
    },
    async list(path) {
      const rel = inSet(path);
      const prefix = rel === "" ? "" : `${rel}/`;
      const entries = new Map<string, boolean>();
      for (const name of names) {
        if (!name.startsWith(prefix)) continue;
        const [head, ...rest] = name.slice(prefix.length).split("/");
        if (head) entries.set(head, (entries.get(head) ?? false) || rest.length > 0);
      }
      if (entries.size === 0) throw new DatasetError(`cannot list dataset folder "${path}": no uploaded file of the dataset lies in it (under "${ref.root}")`);
      return [...entries].map(([name, isDir]) => ({ name, isDir })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
  };
}

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
