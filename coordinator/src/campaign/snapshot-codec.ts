/**
 * The binary format of a campaign snapshot (version {@link SNAPSHOT_FORMAT_VERSION}):
 *
 *     gzip( "PSNP" | u32 version | u32 header length | header JSON | padding to 8 | blobs )
 *
 * all little-endian. The header holds the campaign's scalars, the log position the snapshot
 * covers and the description of the trial table; the blobs are its columns (columnar.ts).
 * gzip's CRC-32 and length trailer make a truncated or altered snapshot fail to decode; so do
 * a wrong magic, an unknown version, and a header or blob out of bounds. A snapshot that
 * fails to decode is never used (snapshots.ts falls back to an older one, then to the log).
 */
import { endianness } from "node:os";
import { promisify } from "node:util";
import { gunzipSync, gzip } from "node:zlib";
import type { TrialSnapshot } from "../domain/trial.js";
import type { TrialState } from "../domain/trial.js";
import { BlobReader, BlobWriter, encodeTable, LazyTable, packBlobs, type TableDesc } from "./columnar.js";
import { isTrialTable, type StateSnapshot, type TrialTable } from "./state.js";

/** Version of the snapshot format; a snapshot of another version is ignored (full replay). */
export const SNAPSHOT_FORMAT_VERSION = 2;
/**
 * Versions this coordinator reads: 1 lacks the compact number columns and text dictionaries of
 * 2 (columnar.ts), which a reader of 1 would misread, hence the new number.
 */
const READABLE_VERSIONS: readonly number[] = [1, SNAPSHOT_FORMAT_VERSION];

const MAGIC = [0x50, 0x53, 0x4e, 0x50]; // "PSNP"
/** gzip level 1: most of the size gain of level 6 for a fraction of the time (bench/control-plane). */
const GZIP_LEVEL = 1;

const gzipAsync = promisify(gzip);
/** Largest output buffer sized from a gzip trailer (a larger body takes more, smaller chunks). */
const MAX_GUNZIP_CHUNK = 1 << 30;

interface Header {
  readonly position: number;
  readonly campaign: Omit<StateSnapshot, "trials">;
  readonly trials: TableDesc;
  readonly sizes: readonly number[];
  readonly offsets: readonly number[];
}

/** A decoded snapshot: the state and the log position it covers. */
export interface DecodedSnapshot {
  readonly state: StateSnapshot;
  /** Every event of the campaign at or before this log position is in `state`. */
  readonly position: number;
}

/** A snapshot that cannot be used, with why. */
export class SnapshotFormatError extends Error {
  override readonly name = "SnapshotFormatError";
}

function assertLittleEndian(): void {
  if (endianness() !== "LE") throw new SnapshotFormatError("campaign snapshots need a little-endian machine");
}

/** The uncompressed body of a snapshot (exported for the benchmark's layout comparison). */
export async function encodeSnapshotBody(state: StateSnapshot, position: number): Promise<Uint8Array> {
  assertLittleEndian();
  const w = new BlobWriter();
  const rows = isTrialTable(state.trials) ? state.trials.snapshots(0, state.trials.length) : state.trials;
  const trials = await encodeTable(w, rows as unknown as readonly Record<string, unknown>[]);
  const { bytes, offsets } = packBlobs(w.blobs);
  const { trials: _trials, ...campaign } = state;
  const header: Header = { position, campaign, trials, sizes: w.blobs.map((b) => b.byteLength), offsets };
  const head = new TextEncoder().encode(JSON.stringify(header));
  const start = Math.ceil((12 + head.byteLength) / 8) * 8;
  const body = new Uint8Array(start + bytes.byteLength);
  body.set(MAGIC, 0);
  const view = new DataView(body.buffer);
  view.setUint32(4, SNAPSHOT_FORMAT_VERSION, true);
  view.setUint32(8, head.byteLength, true);
  body.set(head, 12);
  body.set(bytes, start);
  return body;
}

/** Decodes an uncompressed body. @throws SnapshotFormatError */
export function decodeSnapshotBody(body: Uint8Array): DecodedSnapshot {
  assertLittleEndian();
  if (body.byteLength < 12 || MAGIC.some((m, i) => body[i] !== m)) throw new SnapshotFormatError("not a campaign snapshot (bad magic)");
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const version = view.getUint32(4, true);
  if (!READABLE_VERSIONS.includes(version)) throw new SnapshotFormatError(`snapshot format version ${version}; this coordinator reads versions ${READABLE_VERSIONS.join(", ")}`);
  const headLength = view.getUint32(8, true);
  if (12 + headLength > body.byteLength) throw new SnapshotFormatError("snapshot header is truncated");
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(body.subarray(12, 12 + headLength))) as Header;
  } catch (err) {
    throw new SnapshotFormatError(`snapshot header is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const start = Math.ceil((12 + headLength) / 8) * 8;
  // Typed arrays need 8-byte alignment in their buffer.
  const data = (body.byteOffset + start) % 8 === 0 ? body.subarray(start) : body.slice(start);
  try {
    const table = new LazyTable(new BlobReader(data, header.offsets, header.sizes), header.trials);
    table.check();
    return { position: header.position, state: { ...header.campaign, trials: trialTable(table) } };
  } catch (err) {
    if (err instanceof SnapshotFormatError) throw err;
    throw new SnapshotFormatError(`snapshot is damaged: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * The trials of a decoded snapshot, read in place: the rows are built (and frozen) only when
 * asked for. A column missing from every row fails at once.
 */
function trialTable(table: LazyTable): TrialTable {
  const column = (key: string): ((i: number) => unknown) => {
    const read = table.reader(key);
    if (table.length === 0) return () => undefined;
    if (!read) throw new SnapshotFormatError(`snapshot trials lack ${key} in some rows`);
    return read;
  };
  const id = column("id");
  const number = column("number");
  const state = column("state");
  return {
    length: table.length,
    id: (i) => id(i) as string,
    number: (i) => number(i) as number,
    state: (i) => state(i) as TrialState,
    snapshots(from, to) {
      const rows = table.rows(from, to);
      for (const row of rows) {
        Object.freeze(row["progress"]);
        Object.freeze(row);
      }
      return rows as unknown as TrialSnapshot[];
    },
  };
}

/**
 * Encodes a snapshot of `state` covering the log up to `position`, yielding to the event loop
 * as it goes (gzip runs off the main thread).
 */
export async function encodeSnapshot(state: StateSnapshot, position: number): Promise<Uint8Array> {
  return new Uint8Array(await gzipAsync(await encodeSnapshotBody(state, position), { level: GZIP_LEVEL }));
}

/** Decodes a snapshot written by {@link encodeSnapshot}. @throws SnapshotFormatError when it is truncated, altered or of another version. */
export async function decodeSnapshot(bytes: Uint8Array): Promise<DecodedSnapshot> {
  let body: Buffer;
  try {
    body = gunzipSync(bytes, { chunkSize: gunzipChunkSize(bytes) });
  } catch (err) {
    throw new SnapshotFormatError(`snapshot is truncated or damaged: ${err instanceof Error ? err.message : String(err)}`);
  }
  return decodeSnapshotBody(body);
}

/**
 * One output chunk that holds the whole body: the size gzip's trailer gives (ISIZE, the body's
 * length mod 2^32) plus room for zlib to see the end. Inflating into 16 KiB chunks and joining
 * them took twice the CPU for a 10^6-trial snapshot (120 MB). Synchronous on purpose: a
 * snapshot is decoded at restore only, and the state rebuilt from it is synchronous anyway.
 */
function gunzipChunkSize(bytes: Uint8Array): number {
  if (bytes.byteLength < 18) return 64;
  const size = new DataView(bytes.buffer, bytes.byteOffset + bytes.byteLength - 4, 4).getUint32(0, true);
  return Math.min(MAX_GUNZIP_CHUNK, Math.max(64, size + 64));
}
