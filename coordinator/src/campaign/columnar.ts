/**
 * A columnar layout for many records of the same few shapes (the trials of a campaign): each
 * key is one column over the records that have it, stored as a typed array (numbers), indices
 * into a dictionary (strings; repeated values such as worker ids are stored once), a nested
 * table (objects such as params and metrics), or lengths plus a table of the elements (lists
 * of objects such as progress points); anything else is JSON through a dictionary. Each
 * record's key order is kept (a dictionary of shapes), so decoding gives back records equal
 * to the encoded ones, key order included.
 *
 * The blobs are raw little-endian typed arrays; {@link packBlobs} lays them out 8-byte aligned.
 */

/** One column of a {@link TableDesc}; numbers are blob indices. */
type Column =
  | { readonly k: "num"; readonly b: number }
  | { readonly k: "str" | "json"; readonly dict: number; readonly b: number }
  | { readonly k: "obj"; readonly t: TableDesc }
  | { readonly k: "list"; readonly len: number; readonly t: TableDesc };

/** How a table was encoded: its row count, its shapes and its columns (JSON, in the header). */
export interface TableDesc {
  readonly n: number;
  readonly shapes: readonly (readonly string[])[];
  /** Blob of the shape index of each row. */
  readonly shape: number;
  readonly cols: Readonly<Record<string, Column>>;
}

type Row = Readonly<Record<string, unknown>>;

const isPlainObject = (v: unknown): v is Row => typeof v === "object" && v !== null && !Array.isArray(v);

/** Rows or values handled between two yields to the event loop while encoding. */
const ENCODE_SLICE = 20_000;

/**
 * Collects the blobs of an encoding, in order. Encoding yields to the event loop every
 * {@link ENCODE_SLICE} rows or values, so that a coordinator snapshotting a million trials
 * keeps answering its workers meanwhile (the rows are frozen: nothing changes under it).
 */
export class BlobWriter {
  readonly blobs: Uint8Array[] = [];
  private readonly enc = new TextEncoder();
  private ops = 0;

  /** Counts one unit of work; true when it is time to yield. */
  due(): boolean {
    return ++this.ops % ENCODE_SLICE === 0;
  }

  yield(): Promise<void> {
    return new Promise((r) => setImmediate(r));
  }

  add(a: ArrayBufferView): number {
    this.blobs.push(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    return this.blobs.length - 1;
  }

  addJson(v: unknown): number {
    return this.add(this.enc.encode(JSON.stringify(v)));
  }
}

/** The smallest unsigned integer array that holds indices up to `max`. */
function indexArray(length: number, max: number): Uint8Array | Uint16Array | Uint32Array {
  if (max <= 0xff) return new Uint8Array(length);
  if (max <= 0xffff) return new Uint16Array(length);
  return new Uint32Array(length);
}

/** Values through a dictionary: each distinct key once, one index per value. */
async function dictionary(w: BlobWriter, keys: readonly string[]): Promise<{ dict: number; b: number }> {
  const index = new Map<string, number>();
  const dict: string[] = [];
  const ids = new Uint32Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    if (w.due()) await w.yield();
    const key = keys[i] as string;
    let id = index.get(key);
    if (id === undefined) {
      id = dict.length;
      index.set(key, id);
      dict.push(key);
    }
    ids[i] = id;
  }
  const narrow = indexArray(keys.length, dict.length);
  narrow.set(ids);
  return { dict: w.addJson(dict), b: w.add(narrow) };
}

async function encodeColumn(w: BlobWriter, values: readonly unknown[]): Promise<Column> {
  if (values.every((v) => typeof v === "number")) return { k: "num", b: w.add(Float64Array.from(values as number[])) };
  if (values.every((v) => typeof v === "string")) return { k: "str", ...(await dictionary(w, values as string[])) };
  if (values.every(isPlainObject)) return { k: "obj", t: await encodeTable(w, values as Row[]) };
  if (values.every((v) => Array.isArray(v) && v.every(isPlainObject))) {
    const lists = values as readonly Row[][];
    const lengths = Uint32Array.from(lists, (l) => l.length);
    return { k: "list", len: w.add(lengths), t: await encodeTable(w, lists.flat()) };
  }
  return { k: "json", ...(await dictionary(w, values.map((v) => JSON.stringify(v)))) };
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Encodes `rows` into `w`'s blobs; returns the table's description. */
export async function encodeTable(w: BlobWriter, rows: readonly Row[]): Promise<TableDesc> {
  const shapeIndex = new Map<string, number>();
  const shapes: string[][] = [];
  const rowShape = new Uint32Array(rows.length);
  const columns = new Map<string, unknown[]>();
  let last: { s: number; keys: readonly string[]; cols: unknown[][] } | undefined;
  for (let i = 0; i < rows.length; i++) {
    if (w.due()) await w.yield();
    const row = rows[i] as Row;
    const keys = Object.keys(row);
    // Most rows have the previous row's shape: compare keys before building a signature.
    if (!(last && sameKeys(keys, last.keys))) {
      const sig = keys.join("\u0000");
      let s = shapeIndex.get(sig);
      if (s === undefined) {
        s = shapes.length;
        shapeIndex.set(sig, s);
        shapes.push(keys);
      }
      last = { s, keys, cols: keys.map((k) => columns.get(k) ?? (columns.set(k, []).get(k) as unknown[])) };
    }
    rowShape[i] = last.s;
    for (let j = 0; j < keys.length; j++) (last.cols[j] as unknown[]).push(row[keys[j] as string]);
  }
  const shape = indexArray(rows.length, shapes.length);
  shape.set(rowShape);
  // No prototype: a key named __proto__ is then an own key like any other.
  const cols = Object.create(null) as Record<string, Column>;
  for (const [k, values] of columns) cols[k] = await encodeColumn(w, values);
  return { n: rows.length, shapes, shape: w.add(shape), cols };
}

/** Lays the blobs out one after another, each starting at a multiple of 8 bytes. */
export function packBlobs(blobs: readonly Uint8Array[]): { bytes: Uint8Array; offsets: number[] } {
  const offsets: number[] = [];
  let size = 0;
  for (const b of blobs) {
    offsets.push(size);
    size += Math.ceil(b.byteLength / 8) * 8;
  }
  const bytes = new Uint8Array(size);
  blobs.forEach((b, i) => bytes.set(b, offsets[i]));
  return { bytes, offsets };
}

/** Reads the blobs of an encoding back (`data` starts 8-byte aligned). */
export class BlobReader {
  private readonly dec = new TextDecoder();

  constructor(
    private readonly data: Uint8Array,
    private readonly offsets: readonly number[],
    private readonly sizes: readonly number[],
  ) {}

  private bytes(i: number): Uint8Array {
    const off = this.offsets[i];
    const size = this.sizes[i];
    if (off === undefined || size === undefined || off + size > this.data.byteLength) throw new RangeError(`snapshot blob ${i} is out of bounds`);
    return this.data.subarray(off, off + size);
  }

  f64(i: number): Float64Array {
    const b = this.bytes(i);
    return new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8);
  }

  u32(i: number): Uint32Array {
    const b = this.bytes(i);
    return new Uint32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  }

  /** An index array of `count` entries, whichever width it was written with. */
  indices(i: number, count: number): Uint8Array | Uint16Array | Uint32Array {
    const b = this.bytes(i);
    const width = count === 0 ? 1 : b.byteLength / count;
    if (width === 1) return b;
    if (width === 2) return new Uint16Array(b.buffer, b.byteOffset, count);
    if (width === 4) return new Uint32Array(b.buffer, b.byteOffset, count);
    throw new RangeError(`snapshot blob ${i} has ${b.byteLength} bytes for ${count} indices`);
  }

  json<T>(i: number): T {
    return JSON.parse(this.dec.decode(this.bytes(i))) as T;
  }
}

/** Every empty list decodes to this one frozen array (a million trials without progress points). */
const EMPTY: readonly unknown[] = Object.freeze([]);

/**
 * A decoded column: `values[i]`, or `dict[values[i]]` for a dictionary column (the indices
 * are read in place: no array of a million strings is built just to be copied into rows).
 */
interface DecodedColumn {
  readonly values: ArrayLike<unknown>;
  readonly dict: readonly unknown[] | undefined;
}

/** The values of one column, in the order of the rows that have the key. */
function decodeColumn(r: BlobReader, c: Column, count: number): DecodedColumn {
  switch (c.k) {
    case "num":
      return { values: r.f64(c.b), dict: undefined };
    case "str":
      return { values: r.indices(c.b, count), dict: r.json<string[]>(c.dict) };
    case "json":
      return { values: r.indices(c.b, count), dict: r.json<string[]>(c.dict).map((s) => JSON.parse(s) as unknown) };
    case "obj":
      return { values: decodeTable(r, c.t), dict: undefined };
    case "list": {
      const lengths = r.u32(c.len);
      const elements = decodeTable(r, c.t);
      const out: unknown[] = new Array(count);
      let at = 0;
      for (let i = 0; i < count; i++) {
        const n = lengths[i] as number;
        out[i] = n === 0 ? EMPTY : elements.slice(at, at + n);
        at += n;
      }
      return { values: out, dict: undefined };
    }
  }
}

type RowBuilder = (values: readonly ArrayLike<unknown>[], dicts: readonly (readonly unknown[] | undefined)[], cursor: Uint32Array) => Record<string, unknown>;

/**
 * A function that builds one row of `shape` from the columns, advancing their cursors. It is
 * compiled per shape into an object literal, so every row of a shape gets the same hidden
 * class at once (a tenth of the time of assigning keys one by one, for a million trials).
 */
function rowBuilder(shape: readonly string[], ids: readonly number[], cols: readonly DecodedColumn[]): RowBuilder {
  if (shape.includes("__proto__")) {
    return (values, dicts, cursor) => {
      const row: Record<string, unknown> = {};
      shape.forEach((k, j) => {
        const id = ids[j] as number;
        const at = cursor[id] as number;
        cursor[id] = at + 1;
        const v = (values[id] as ArrayLike<unknown>)[at];
        const dict = dicts[id];
        Object.defineProperty(row, k, { value: dict ? dict[v as number] : v, enumerable: true, writable: true, configurable: true });
      });
      return row;
    };
  }
  // The source holds JSON-quoted keys and integers only.
  const fields = shape.map((k, j) => {
    const id = ids[j] as number;
    const cell = `v[${id}][u[${id}]++]`;
    return `${JSON.stringify(k)}: ${cols[id]?.dict ? `d[${id}][${cell}]` : cell}`;
  });
  return new Function("v", "d", "u", `return { ${fields.join(", ")} };`) as RowBuilder;
}

/** Decodes a table written by {@link encodeTable}. */
export function decodeTable(r: BlobReader, t: TableDesc): Record<string, unknown>[] {
  const shapeOf = r.indices(t.shape, t.n);
  const keys = Object.keys(t.cols);
  const keyId = new Map(keys.map((k, i) => [k, i]));
  const plans = t.shapes.map((shape) =>
    shape.map((k) => {
      const id = keyId.get(k);
      if (id === undefined) throw new RangeError(`snapshot shape names ${k}, which has no column`);
      return id;
    }),
  );
  const count = new Uint32Array(keys.length);
  for (let i = 0; i < t.n; i++) {
    const plan = plans[shapeOf[i] as number];
    if (!plan) throw new RangeError(`snapshot row ${i} has an unknown shape`);
    for (const id of plan) count[id] = (count[id] as number) + 1;
  }
  const cols = keys.map((k, i) => decodeColumn(r, t.cols[k] as Column, count[i] as number));
  const values = cols.map((c) => c.values);
  const dicts = cols.map((c) => c.dict);
  const cursor = new Uint32Array(keys.length);
  const builders = t.shapes.map((shape, s) => rowBuilder(shape, plans[s] as number[], cols));
  const rows: Record<string, unknown>[] = new Array(t.n);
  for (let i = 0; i < t.n; i++) rows[i] = (builders[shapeOf[i] as number] as RowBuilder)(values, dicts, cursor);
  return rows;
}
