/**
 * The content-addressed blob store: sets of files (an imported model, a dataset, a pruned
 * model) uploaded once to a JetStream object store under the SHA-256 of each file's content,
 * and downloaded into a local cache by hash. A set is described by its {@link BlobRef}s (name
 * inside the set, hash, size); equal content is stored once however many sets hold it.
 *
 * Uploaders: `prunesweep run`/`submit` (the spec's model), workers (pruned models).
 * Downloaders: workers (cached per hash under their cache folder), `prunesweep model`.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, normalize, isAbsolute } from "node:path";
import { jetstream, StorageType } from "@nats-io/jetstream";
import { Objm, type ObjectStore } from "@nats-io/obj";
import type { NatsConnection } from "@nats-io/transport-node";
import type { BlobRef } from "./catalogue/task.js";
import { createWithReplicas, DEFAULT_NATS_REPLICAS, useNativeObjectStoreDigests } from "./nats-settings.js";
import { BLOBS_BUCKET } from "./subjects.js";

/** A file of a set, in memory. */
export interface BlobFile {
  /** Path inside the set (`model.json`, `group1-shard1of1.bin`); no `..`, not absolute. */
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** Lowercase hex SHA-256 of `bytes`. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The refs of a set of files (no upload). */
export function blobRefsOf(files: readonly BlobFile[]): BlobRef[] {
  return files.map((f) => ({ name: checkedName(f.name), sha256: sha256Hex(f.bytes), size: f.bytes.byteLength }));
}

/** Reads `names` (relative to `dir`) into a set. */
export function readBlobFiles(dir: string, names: readonly string[]): BlobFile[] {
  return names.map((name) => ({ name, bytes: readFileSync(join(dir, name)) }));
}

function checkedName(name: string): string {
  const n = normalize(name);
  if (name === "" || isAbsolute(name) || n.startsWith("..")) throw new RangeError(`blob name "${name}" must be a relative path inside its set`);
  return name;
}

/** Object name of a blob. */
const objectName = (sha256: string): string => `sha256-${sha256}`;

/** A hash over a set's refs: the folder a set is materialised in. */
function setId(refs: readonly BlobRef[]): string {
  return sha256Hex(Buffer.from(JSON.stringify(refs.map((r) => [r.name, r.sha256]))));
}

/** Options of {@link NatsBlobStore}. */
export interface BlobStoreOptions {
  /** @default BLOBS_BUCKET */
  readonly bucket?: string;
  /** Replicas of the object store when created (--nats-replicas). @default DEFAULT_NATS_REPLICAS */
  readonly replicas?: number;
  /** Thrown on a replica placement refusal. */
  readonly toError?: (message: string, cause: unknown) => Error;
}

/** Blobs in a JetStream object store (file storage), one object per distinct content. */
export class NatsBlobStore {
  private os: Promise<ObjectStore> | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly opts: BlobStoreOptions = {},
  ) {}

  private open(): Promise<ObjectStore> {
    this.os ??= (async () => {
      useNativeObjectStoreDigests();
      const bucket = this.opts.bucket ?? BLOBS_BUCKET;
      const replicas = this.opts.replicas ?? DEFAULT_NATS_REPLICAS;
      return createWithReplicas(
        `object store ${bucket}`,
        replicas,
        () => new Objm(jetstream(this.nc)).create(bucket, { storage: StorageType.File, replicas, description: "prunesweep blobs by content hash" }),
        this.opts.toError ?? ((m, cause) => new Error(m, { cause })),
      );
    })();
    const p = this.os;
    p.catch(() => {
      if (this.os === p) this.os = undefined;
    });
    return p;
  }

  /** Uploads every file whose content is not stored yet; returns the set's refs. */
  async putFiles(files: readonly BlobFile[]): Promise<BlobRef[]> {
    const os = await this.open();
    const refs = blobRefsOf(files);
    for (const [i, r] of refs.entries()) {
      const name = objectName(r.sha256);
      const info = await os.info(name);
      if (info && info.size === r.size) continue;
      await os.putBlob({ name, description: r.name }, (files[i] as BlobFile).bytes);
    }
    return refs;
  }

  /** The content of one blob, checked against its hash; undefined when absent. */
  async get(ref: Pick<BlobRef, "sha256" | "name">): Promise<Uint8Array | undefined> {
    const os = await this.open();
    const bytes = await os.getBlob(objectName(ref.sha256));
    if (!bytes) return undefined;
    const got = sha256Hex(bytes);
    if (got !== ref.sha256) throw new Error(`blob ${ref.name}: stored content hashes to ${got}, expected ${ref.sha256}`);
    return bytes;
  }

  /** Deletes the blobs of `drop` that `keep` does not also hold (equal content is one object); returns how many. */
  async deleteExcept(drop: readonly BlobRef[], keep: readonly BlobRef[]): Promise<number> {
    const os = await this.open();
    const kept = new Set(keep.map((r) => r.sha256));
    let n = 0;
    for (const sha of new Set(drop.map((r) => r.sha256))) {
      if (kept.has(sha)) continue;
      if (await os.delete(objectName(sha))) n++;
    }
    return n;
  }

  /**
   * Writes the set's files into `dir` under their names (a download, no cache).
   * @throws Error naming a blob the store does not hold
   */
  async download(refs: readonly BlobRef[], dir: string): Promise<string[]> {
    const written: string[] = [];
    for (const r of refs) {
      const bytes = await this.get(r);
      if (!bytes) throw new Error(`blob ${r.name} (sha256 ${r.sha256}) is not in the blob store`);
      const target = join(dir, checkedName(r.name));
      writeAtomically(target, bytes);
      written.push(target);
    }
    return written;
  }

  /**
   * Writes the set under `<cacheDir>/sets/<set hash>/` (blobs cached once under
   * `<cacheDir>/blobs/<sha256>`; a cached blob is not downloaded again) and returns that folder.
   * @throws Error naming a blob the store does not hold
   */
  async materialise(refs: readonly BlobRef[], cacheDir: string): Promise<string> {
    const dir = join(cacheDir, "sets", setId(refs));
    for (const r of refs) {
      const cached = join(cacheDir, "blobs", r.sha256);
      if (!(existsSync(cached) && statSync(cached).size === r.size)) {
        const bytes = await this.get(r);
        if (!bytes) throw new Error(`blob ${r.name} (sha256 ${r.sha256}) is not in the blob store`);
        writeAtomically(cached, bytes);
      }
      const target = join(dir, checkedName(r.name));
      if (!(existsSync(target) && statSync(target).size === r.size)) writeAtomically(target, readFileSync(cached));
    }
    return dir;
  }
}

/** Writes via a temporary file and a rename, so a reader never sees half a file. */
function writeAtomically(path: string, bytes: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}
