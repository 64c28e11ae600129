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
  | { readonly k: "num"; readonly b: number; readonly e?: NumberEncoding; readonly v0?: number }
  | { readonly k: "str" | "json"; readonly dict: number; readonly b: number; readonly ends?: number }
  | { readonly k: "obj"; readonly t: TableDesc }
  | { readonly k: "list"; readonly len: number; readonly t: TableDesc };

/**
 * How a number column is stored: 8-byte floats (absent), 32-bit integers ("i32"), or 32-bit
 * integer steps from one value to the next after a first value `v0` ("d32": timestamps,
 * counters). Whole numbers only for the last two (no -0), so every value comes back exactly.
 */
type NumberEncoding = "i32" | "d32";

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

/**
 * Values through a dictionary: each distinct key once, one index per value. With `text`, the
 * dictionary is its strings one after the other (UTF-8) plus where each ends (in UTF-16 code
 * units): one entry is then read without parsing the others, and all of them in one decode
 * (a million trial ids: one JSON.parse of the list took 0.5 s). Strings that are not
 * well-formed UTF-16 (lone surrogates) go as a JSON list, which keeps them.
 */
/** String.prototype.isWellFormed (Node 20+; not in this TypeScript lib). */
const isWellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

async function dictionary(w: BlobWriter, keys: readonly string[], text = false): Promise<{ dict: number; b: number; ends?: number }> {
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
  const all = text ? dict.join("") : "";
  if (text && isWellFormed(all)) {
    const ends = new Uint32Array(dict.length);
    let at = 0;
    dict.forEach((d, i) => (ends[i] = at += d.length));
    return { dict: w.add(new TextEncoder().encode(all)), ends: w.add(ends), b: w.add(narrow) };
  }
  return { dict: w.addJson(dict), b: w.add(narrow) };
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** A number column in 4 bytes a value where that is exact (half the body, half the gunzip). */
function numberColumn(w: BlobWriter, values: readonly number[]): Column {
  let ints = true;
  let steps = true;
  for (let i = 0; i < values.length && (ints || steps); i++) {
    const x = values[i] as number;
    if (!Number.isSafeInteger(x) || Object.is(x, -0)) {
      ints = steps = false;
      break;
    }
    if (x < INT32_MIN || x > INT32_MAX) ints = false;
    const d = i === 0 ? 0 : x - (values[i - 1] as number);
    if (d < INT32_MIN || d > INT32_MAX) steps = false;
  }
  if (values.length > 0 && ints) return { k: "num", e: "i32", b: w.add(Int32Array.from(values)) };
  if (values.length > 0 && steps) {
    const d = new Int32Array(values.length);
    for (let i = 1; i < values.length; i++) d[i] = (values[i] as number) - (values[i - 1] as number);
    return { k: "num", e: "d32", v0: values[0] as number, b: w.add(d) };
  }
  return { k: "num", b: w.add(Float64Array.from(values)) };
}

async function encodeColumn(w: BlobWriter, values: readonly unknown[]): Promise<Column> {
  if (values.every((v) => typeof v === "number")) return numberColumn(w, values as number[]);
  if (values.every((v) => typeof v === "string")) return { k: "str", ...(await dictionary(w, values as string[], true)) };
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

  i32(i: number): Int32Array {
    const b = this.bytes(i);
    return new Int32Array(b.buffer, b.byteOffset, b.byteLength / 4);
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
    return JSON.parse(this.text(i)) as T;
  }

  text(i: number): string {
    return this.dec.decode(this.bytes(i));
  }

  /** Blob `i` as bytes. */
  raw(i: number): Uint8Array {
    return this.bytes(i);
  }

  decodeText(bytes: Uint8Array): string {
    return this.dec.decode(bytes);
  }
}

/** Every empty list decodes to this one frozen array (a million trials without progress points). */
const EMPTY: readonly unknown[] = Object.freeze([]);

/**
 * The values of one column for a range of its positions: `values[p - base]`, or
 * `dict[values[p - base]]` for a dictionary column (the indices are read in place: no array of
 * a million strings is built just to be copied into rows).
 */
interface ColumnRange {
  readonly values: ArrayLike<unknown>;
  readonly base: number;
  readonly dict: readonly unknown[] | undefined;
}

type RowBuilder = (values: readonly ArrayLike<unknown>[], dicts: readonly (readonly unknown[] | undefined)[], bases: Uint32Array, cursor: Uint32Array) => Record<string, unknown>;

/**
 * A function that builds one row of `shape` from the columns, advancing their cursors. It is
 * compiled per shape into an object literal, so every row of a shape gets the same hidden
 * class at once (a tenth of the time of assigning keys one by one, for a million trials).
 */
function rowBuilder(shape: readonly string[], ids: readonly number[], hasDict: readonly boolean[]): RowBuilder {
  if (shape.includes("__proto__")) {
    return (values, dicts, bases, cursor) => {
      const row: Record<string, unknown> = {};
      shape.forEach((k, j) => {
        const id = ids[j] as number;
        const at = cursor[id] as number;
        cursor[id] = at + 1;
        const v = (values[id] as ArrayLike<unknown>)[at - (bases[id] as number)];
        const dict = dicts[id];
        Object.defineProperty(row, k, { value: dict ? dict[v as number] : v, enumerable: true, writable: true, configurable: true });
      });
      return row;
    };
  }
  // The source holds JSON-quoted keys and integers only.
  const fields = shape.map((k, j) => {
    const id = ids[j] as number;
    const cell = `v[${id}][u[${id}]++ - b[${id}]]`;
    return `${JSON.stringify(k)}: ${hasDict[id] ? `d[${id}][${cell}]` : cell}`;
  });
  return new Function("v", "d", "b", "u", `return { ${fields.join(", ")} };`) as RowBuilder;
}

/** Rows between two saved cursor positions of a {@link LazyTable}. */
const CHECKPOINT_ROWS = 1024;

/**
 * A table written by {@link encodeTable}, read in place: rows are built only when asked for
 * (`rows(from, to)`, any range, in any order), and single cells of number and string columns
 * are read without building rows. Opening it costs one pass over the rows' shape indices; a
 * column's blobs are checked when it is first read, its dictionary parsed then, and a nested
 * table opened then. So a campaign of a million trials loads from a snapshot without building
 * a million objects first (campaign/state.ts builds them when they are read).
 */
export class LazyTable {
  readonly length: number;
  private readonly keys: readonly string[];
  private readonly shapeOf: Uint8Array | Uint16Array | Uint32Array;
  private readonly plans: readonly (readonly number[])[];
  /** Rows that have each column. */
  private readonly counts: Uint32Array;
  /** Whether every row has the column: then a row's position in it is the row's index. */
  private readonly everyRow: readonly boolean[];
  /** The columns' cursors before row `k * CHECKPOINT_ROWS`, for each k. */
  private readonly checkpoints: Uint32Array;
  private readonly columns: (ColumnReader | undefined)[];
  private builders: RowBuilder[] | undefined;

  constructor(
    private readonly r: BlobReader,
    private readonly t: TableDesc,
  ) {
    this.length = t.n;
    this.shapeOf = r.indices(t.shape, t.n);
    this.keys = Object.keys(t.cols);
    const keyId = new Map(this.keys.map((k, i) => [k, i]));
    this.plans = t.shapes.map((shape) =>
      shape.map((k) => {
        const id = keyId.get(k);
        if (id === undefined) throw new RangeError(`snapshot shape names ${k}, which has no column`);
        return id;
      }),
    );
    const ncols = this.keys.length;
    const counts = new Uint32Array(ncols);
    const checkpoints = new Uint32Array(Math.ceil(t.n / CHECKPOINT_ROWS) * ncols);
    const shapeCount = new Float64Array(this.plans.length);
    for (let i = 0; i < t.n; i++) {
      if (i % CHECKPOINT_ROWS === 0) checkpoints.set(counts, (i / CHECKPOINT_ROWS) * ncols);
      const s = this.shapeOf[i] as number;
      const plan = this.plans[s];
      if (!plan) throw new RangeError(`snapshot row ${i} has an unknown shape`);
      shapeCount[s] = (shapeCount[s] as number) + 1;
      for (let j = 0; j < plan.length; j++) {
        const id = plan[j] as number;
        counts[id] = (counts[id] as number) + 1;
      }
    }
    this.counts = counts;
    this.checkpoints = checkpoints;
    this.everyRow = this.keys.map((_, id) => this.plans.every((plan, s) => shapeCount[s] === 0 || plan.includes(id)));
    this.columns = new Array<ColumnReader | undefined>(ncols);
  }

  /** Reads every column's blobs now (bounds and sizes), nested tables included; parses no dictionary. */
  check(): void {
    for (let id = 0; id < this.keys.length; id++) this.column(id).check();
  }

  /** The value of `key` in row `i` for a number or string column (undefined when the row has no such key). */
  cell(key: string, i: number): unknown {
    const id = this.keys.indexOf(key);
    if (id < 0 || i < 0 || i >= this.length) return undefined;
    let at = i;
    if (!this.everyRow[id]) {
      if (!(this.plans[this.shapeOf[i] as number] as readonly number[]).includes(id)) return undefined;
      at = this.cursorsAt(i)[id] as number;
    }
    return this.column(id).cell(at);
  }

  /** A reader of `key`'s cells by row, for a column that every row has (undefined otherwise). */
  reader(key: string): ((i: number) => unknown) | undefined {
    const id = this.keys.indexOf(key);
    if (id < 0 || !this.everyRow[id]) return undefined;
    const column = this.column(id);
    return (i) => column.cell(i);
  }

  /** Rows `from` to `to` (exclusive), built now (each call builds new objects). */
  rows(from: number, to: number): Record<string, unknown>[] {
    if (!(Number.isInteger(from) && Number.isInteger(to) && 0 <= from && from <= to && to <= this.length)) {
      throw new RangeError(`rows ${from} to ${to} of a table of ${this.length}`);
    }
    const ncols = this.keys.length;
    const cursor = this.cursorsAt(from);
    const end = this.cursorsAt(to);
    const values: ArrayLike<unknown>[] = new Array(ncols);
    const dicts: (readonly unknown[] | undefined)[] = new Array(ncols);
    const bases = new Uint32Array(ncols);
    for (let id = 0; id < ncols; id++) {
      const range = (cursor[id] as number) < (end[id] as number) ? this.column(id).range(cursor[id] as number, end[id] as number) : { values: EMPTY, base: 0, dict: undefined };
      values[id] = range.values;
      dicts[id] = range.dict;
      bases[id] = range.base;
    }
    const builders = (this.builders ??= this.t.shapes.map((shape, s) =>
      rowBuilder(
        shape,
        this.plans[s] as number[],
        this.keys.map((k) => {
          const kind = (this.t.cols[k] as Column).k;
          return kind === "str" || kind === "json";
        }),
      ),
    ));
    const out: Record<string, unknown>[] = new Array(to - from);
    for (let i = from; i < to; i++) out[i - from] = (builders[this.shapeOf[i] as number] as RowBuilder)(values, dicts, bases, cursor);
    return out;
  }

  /** Each column's position at row `i` (rows before it that have the column). */
  private cursorsAt(i: number): Uint32Array {
    const ncols = this.keys.length;
    if (i >= this.length) return this.counts.slice();
    const k = Math.floor(i / CHECKPOINT_ROWS);
    const cursor = this.checkpoints.slice(k * ncols, (k + 1) * ncols);
    for (let j = k * CHECKPOINT_ROWS; j < i; j++) {
      const plan = this.plans[this.shapeOf[j] as number] as readonly number[];
      for (let p = 0; p < plan.length; p++) {
        const id = plan[p] as number;
        cursor[id] = (cursor[id] as number) + 1;
      }
    }
    return cursor;
  }

  private column(id: number): ColumnReader {
    let c = this.columns[id];
    if (!c) {
      const key = this.keys[id] as string;
      c = new ColumnReader(this.r, this.t.cols[key] as Column, this.counts[id] as number);
      this.columns[id] = c;
    }
    return c;
  }
}

/** Entries of a dictionary read whole at its first cell. */
const SMALL_DICTIONARY = 1024;

/** One column of a {@link LazyTable}, its `count` cells read in place. */
class ColumnReader {
  private numbers: Float64Array | Int32Array | undefined;
  private indices: Uint8Array | Uint16Array | Uint32Array | undefined;
  private dict: readonly unknown[] | undefined;
  /** A text dictionary (Column.ends): its strings as one, and where each ends. */
  private text: { readonly all: string; readonly ends: Uint32Array } | undefined;
  private nested: LazyTable | undefined;
  private lengths: Uint32Array | undefined;
  /** List columns: where each position's elements start in the nested table (count + 1 entries). */
  private starts: Float64Array | undefined;

  constructor(
    private readonly r: BlobReader,
    private readonly c: Column,
    private readonly count: number,
  ) {}

  check(): void {
    switch (this.c.k) {
      case "num":
        if (this.c.e === "d32") {
          // Bounds only: the values are summed up when first read.
          if (this.r.i32(this.c.b).length < this.count) throw new RangeError(`snapshot column of ${this.count} numbers is short`);
        } else this.numberValues();
        return;
      case "str":
      case "json":
        this.indexValues();
        return;
      case "obj":
        this.table().check();
        return;
      case "list":
        this.listStarts();
        this.table().check();
        return;
    }
  }

  cell(at: number): unknown {
    switch (this.c.k) {
      case "num":
        return this.numberValues()[at];
      case "str":
      case "json":
        // A large text dictionary (ids) is read an entry at a time; a small one whole, once.
        if (this.c.ends === undefined || this.dict || this.r.u32(this.c.ends).length <= SMALL_DICTIONARY) return this.dictionary()[this.indexValues()[at] as number];
        return this.entry(this.indexValues()[at] as number);
      default: {
        const range = this.range(at, at + 1);
        return range.values[0];
      }
    }
  }

  /** Positions `p0` to `p1` (exclusive). */
  range(p0: number, p1: number): ColumnRange {
    switch (this.c.k) {
      case "num":
        return { values: this.numberValues(), base: 0, dict: undefined };
      case "str":
      case "json": {
        const indices = this.indexValues();
        if (this.c.ends === undefined || this.dict || (p1 - p0) * 8 >= this.r.u32(this.c.ends).length) return { values: indices, base: 0, dict: this.dictionary() };
        // A few rows of a large text dictionary (a trial read alone): a dictionary of their own.
        const local = new Map<number, number>();
        const dict: string[] = [];
        const values = new Uint32Array(p1 - p0);
        for (let p = p0; p < p1; p++) {
          const k = indices[p] as number;
          let at = local.get(k);
          if (at === undefined) {
            at = dict.length;
            local.set(k, at);
            dict.push(this.entry(k));
          }
          values[p - p0] = at;
        }
        return { values, base: p0, dict };
      }
      case "obj":
        return { values: this.table().rows(p0, p1), base: p0, dict: undefined };
      case "list": {
        const starts = this.listStarts();
        const e0 = starts[p0] as number;
        const elements = this.table().rows(e0, starts[p1] as number);
        const lists: unknown[] = new Array(p1 - p0);
        for (let p = p0; p < p1; p++) {
          const a = (starts[p] as number) - e0;
          const b = (starts[p + 1] as number) - e0;
          lists[p - p0] = a === b ? EMPTY : elements.slice(a, b);
        }
        return { values: lists, base: p0, dict: undefined };
      }
    }
  }

  private numberValues(): Float64Array | Int32Array {
    if (this.c.k !== "num") throw new RangeError("not a number column");
    if (!this.numbers) {
      let v: Float64Array | Int32Array;
      if (this.c.e === undefined) v = this.r.f64(this.c.b);
      else if (this.c.e === "i32") v = this.r.i32(this.c.b);
      else if (this.c.e === "d32" && typeof this.c.v0 === "number") {
        const d = this.r.i32(this.c.b);
        const x = new Float64Array(d.length);
        let at = this.c.v0;
        for (let i = 0; i < d.length; i++) x[i] = at += d[i] as number;
        v = x;
      } else throw new RangeError(`snapshot number column encoded as ${String(this.c.e)}`);
      if (v.length < this.count) throw new RangeError(`snapshot column of ${this.count} numbers has ${v.length}`);
      this.numbers = v;
    }
    return this.numbers;
  }

  private indexValues(): Uint8Array | Uint16Array | Uint32Array {
    if (this.c.k !== "str" && this.c.k !== "json") throw new RangeError("not a dictionary column");
    return (this.indices ??= this.r.indices(this.c.b, this.count));
  }

  private dictionary(): readonly unknown[] {
    if (this.c.k !== "str" && this.c.k !== "json") throw new RangeError("not a dictionary column");
    if (!this.dict) {
      let strings: string[];
      if (this.c.ends !== undefined) {
        const n = this.textDict().ends.length;
        strings = new Array<string>(n);
        for (let k = 0; k < n; k++) strings[k] = this.entry(k);
      } else strings = this.r.json<string[]>(this.c.dict);
      this.dict = this.c.k === "json" ? strings.map((s) => JSON.parse(s) as unknown) : strings;
    }
    return this.dict;
  }

  private textDict(): { readonly all: string; readonly ends: Uint32Array } {
    if (!this.text) {
      if ((this.c.k !== "str" && this.c.k !== "json") || this.c.ends === undefined) throw new RangeError("not a text dictionary");
      const all = this.r.text(this.c.dict);
      const ends = this.r.u32(this.c.ends);
      if (ends.length > 0 && ends[ends.length - 1] !== all.length) throw new RangeError(`snapshot dictionary of ${all.length} characters ends at ${ends[ends.length - 1]}`);
      for (let k = 1; k < ends.length; k++) if ((ends[k] as number) < (ends[k - 1] as number)) throw new RangeError("snapshot dictionary ends go backwards");
      this.text = { all, ends };
    }
    return this.text;
  }

  /** Entry `k` of a text dictionary. */
  private entry(k: number): string {
    if (!this.text && (this.c.k === "str" || this.c.k === "json") && this.c.ends !== undefined) {
      // ASCII text (as many bytes as code units): the entry's bytes alone, without decoding the rest.
      const ends = this.r.u32(this.c.ends);
      const bytes = this.r.raw(this.c.dict);
      if (ends.length > 0 && ends[ends.length - 1] === bytes.byteLength && k < ends.length) {
        const a = k === 0 ? 0 : (ends[k - 1] as number);
        const b = ends[k] as number;
        if (a <= b) return this.r.decodeText(bytes.subarray(a, b));
      }
    }
    const { all, ends } = this.textDict();
    if (k >= ends.length) throw new RangeError(`snapshot dictionary has no entry ${k}`);
    return all.slice(k === 0 ? 0 : (ends[k - 1] as number), ends[k] as number);
  }

  private table(): LazyTable {
    if (this.c.k !== "obj" && this.c.k !== "list") throw new RangeError("not a table column");
    return (this.nested ??= new LazyTable(this.r, this.c.t));
  }

  private listStarts(): Float64Array {
    if (this.c.k !== "list") throw new RangeError("not a list column");
    if (!this.starts) {
      const lengths = (this.lengths ??= this.r.u32(this.c.len));
      if (lengths.length < this.count) throw new RangeError(`snapshot list column of ${this.count} lists has ${lengths.length} lengths`);
      const starts = new Float64Array(this.count + 1);
      for (let p = 0; p < this.count; p++) starts[p + 1] = (starts[p] as number) + (lengths[p] as number);
      if (starts[this.count] !== this.c.t.n) throw new RangeError(`snapshot list column holds ${starts[this.count]} elements, its table ${this.c.t.n}`);
      this.starts = starts;
    }
    return this.starts;
  }
}

/** Decodes a table written by {@link encodeTable}: every row, built now. */
export function decodeTable(r: BlobReader, t: TableDesc): Record<string, unknown>[] {
  const table = new LazyTable(r, t);
  table.check();
  return table.rows(0, table.length);
}
