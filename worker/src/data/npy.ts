/**
 * NumPy `.npy` arrays and `.npz` archives (a zip of `.npy` files, stored or deflated), read
 * without native code: the format is the one `numpy.lib.format` documents (magic
 * `\x93NUMPY`, version, a little-endian header length, a Python-literal header dict with
 * `descr`, `fortran_order` and `shape`, then the C-order data).
 */
import { inflateRawSync } from "node:zlib";
import { DatasetError } from "../errors.js";

/** A decoded array: bytes stay bytes (`u1`), every other dtype becomes float64 values. */
export interface NpyArray {
  readonly shape: readonly number[];
  /** The dtype as written, e.g. `<f4`, `|u1`. */
  readonly dtype: string;
  readonly data: Uint8Array | Float64Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Element readers by kind and size; little- or big-endian per the dtype's first character. */
function elementReader(dtype: string, where: string): { size: number; read: (view: DataView, off: number) => number } {
  const m = /^([<>|=])([biuf])(\d+)$/.exec(dtype);
  if (!m) throw new DatasetError(`${where}: dtype "${dtype}" is not supported (numeric types only: bool, int, uint, float)`);
  const little = m[1] !== ">";
  const kind = m[2] as string;
  const size = Number(m[3]);
  const key = `${kind}${size}`;
  const readers: Record<string, (v: DataView, o: number) => number> = {
    b1: (v, o) => (v.getUint8(o) ? 1 : 0),
    i1: (v, o) => v.getInt8(o),
    u1: (v, o) => v.getUint8(o),
    i2: (v, o) => v.getInt16(o, little),
    u2: (v, o) => v.getUint16(o, little),
    i4: (v, o) => v.getInt32(o, little),
    u4: (v, o) => v.getUint32(o, little),
    i8: (v, o) => Number(v.getBigInt64(o, little)),
    u8: (v, o) => Number(v.getBigUint64(o, little)),
    f2: (v, o) => halfToFloat(v.getUint16(o, little)),
    f4: (v, o) => v.getFloat32(o, little),
    f8: (v, o) => v.getFloat64(o, little),
  };
  const read = readers[key];
  if (!read) throw new DatasetError(`${where}: dtype "${dtype}" is not supported (numeric types only: bool, int, uint, float)`);
  return { size, read };
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? Number.NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/** Parses the header dict, e.g. `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`. */
function parseHeader(text: string, where: string): { dtype: string; fortran: boolean; shape: number[] } {
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]+)['"]/.exec(text);
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text);
  const shape = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descr || !fortran || !shape) throw new DatasetError(`${where}: the .npy header is malformed (${JSON.stringify(text.trim().slice(0, 120))})`);
  const dims = (shape[1] as string)
    .split(",")
    .map((d) => d.trim())
    .filter((d) => d !== "")
    .map(Number);
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) throw new DatasetError(`${where}: the .npy header has a bad shape (${shape[1]})`);
  return { dtype: descr[1] as string, fortran: fortran[1] === "True", shape: dims };
}

/**
 * Parses one `.npy` file.
 * @param where names the file (and the array, inside an archive) in errors
 * @throws DatasetError for a bad magic, header, dtype, Fortran order or truncated data
 */
export function parseNpy(buf: Uint8Array, where: string): NpyArray {
  if (buf.length < 10 || MAGIC.some((b, i) => buf[i] !== b)) throw new DatasetError(`${where} is not a .npy file (no \\x93NUMPY magic)`);
  const major = buf[6] ?? 0;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (buf.length < 12) throw new DatasetError(`${where}: the .npy header is truncated`);
    headerLen = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new DatasetError(`${where}: .npy format version ${major} is not supported (1, 2 or 3)`);
  }
  if (buf.length < headerStart + headerLen) throw new DatasetError(`${where}: the .npy header is truncated`);
  const header = parseHeader(Buffer.from(buf.subarray(headerStart, headerStart + headerLen)).toString("latin1"), where);
  const count = header.shape.reduce((a, b) => a * b, 1);
  if (header.fortran && header.shape.filter((d) => d > 1).length > 1) {
    throw new DatasetError(`${where}: Fortran-order arrays are not supported; save it with numpy.ascontiguousarray`);
  }
  const { size, read } = elementReader(header.dtype, where);
  const start = headerStart + headerLen;
  const need = count * size;
  if (buf.length - start < need) throw new DatasetError(`${where} is truncated: shape (${header.shape.join(", ")}) needs ${need} data bytes, it has ${buf.length - start}`);
  if (size === 1 && /u1$/.test(header.dtype)) return { shape: header.shape, dtype: header.dtype, data: Uint8Array.from(buf.subarray(start, start + need)) };
  const data = new Float64Array(count);
  for (let i = 0; i < count; i++) data[i] = read(view, start + i * size);
  return { shape: header.shape, dtype: header.dtype, data };
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (the zip checksum). */
export function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = (CRC_TABLE[(c ^ (buf[i] ?? 0)) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * The entries of a zip archive (an `.npz`), by name, read through the central directory;
 * stored and deflated entries, zip64 sizes and offsets, CRC checked.
 * @throws DatasetError naming `path` for anything that is not a readable zip
 */
function readZip(buf: Buffer, path: string): Map<string, Buffer> {
  const bad = (what: string): never => {
    throw new DatasetError(`"${path}" is not a readable .npz (zip) archive: ${what}`);
  };
  // End of central directory: the last PK\x05\x06 within the final 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) bad("no end-of-central-directory record");
  let entries = buf.readUInt16LE(eocd + 10);
  let cdOffset = buf.readUInt32LE(eocd + 16);
  if (cdOffset === 0xffffffff || entries === 0xffff) {
    const locator = eocd - 20;
    if (locator < 0 || buf.readUInt32LE(locator) !== 0x07064b50) bad("zip64 locator missing");
    const z64 = Number(buf.readBigUInt64LE(locator + 8));
    if (z64 + 56 > buf.length || buf.readUInt32LE(z64) !== 0x06064b50) bad("zip64 end record missing");
    entries = Number(buf.readBigUInt64LE(z64 + 32));
    cdOffset = Number(buf.readBigUInt64LE(z64 + 48));
  }
  const out = new Map<string, Buffer>();
  let p = cdOffset;
  for (let e = 0; e < entries; e++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) bad(`central directory entry ${e} is damaged`);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    let compSize = buf.readUInt32LE(p + 20);
    let size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    let local = buf.readUInt32LE(p + 42);
    const name = buf.toString("utf8", p + 46, p + 46 + nameLen);
    // zip64 extra field: the 64-bit values, in order, of the fields that are 0xffffffff.
    for (let x = p + 46 + nameLen; x + 4 <= p + 46 + nameLen + extraLen; ) {
      const id = buf.readUInt16LE(x);
      const len = buf.readUInt16LE(x + 2);
      if (id === 0x0001) {
        let q = x + 4;
        const next = (): number => {
          const v = Number(buf.readBigUInt64LE(q));
          q += 8;
          return v;
        };
        if (size === 0xffffffff) size = next();
        if (compSize === 0xffffffff) compSize = next();
        if (local === 0xffffffff) local = next();
      }
      x += 4 + len;
    }
    p += 46 + nameLen + extraLen + commentLen;
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== 0x04034b50) bad(`the local header of "${name}" is damaged`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    if (start + compSize > buf.length) bad(`"${name}" is truncated`);
    const raw = buf.subarray(start, start + compSize);
    let data: Buffer;
    if (method === 0) data = raw;
    else if (method === 8) {
      try {
        data = inflateRawSync(raw);
      } catch (err) {
        throw new DatasetError(`"${path}": entry "${name}" cannot be inflated (${err instanceof Error ? err.message : String(err)})`, { cause: err });
      }
    } else return bad(`entry "${name}" uses compression method ${method} (only stored and deflate are read)`);
    if (data.length !== size || crc32(data) !== crc) bad(`entry "${name}" fails its size or CRC check`);
    out.set(name, data);
  }
  return out;
}

/**
 * The arrays of an `.npz` archive, by name without the `.npy` suffix.
 * @throws DatasetError naming the file (and the entry) when something cannot be read
 */
export function parseNpz(buf: Buffer, path: string): Map<string, NpyArray> {
  const arrays = new Map<string, NpyArray>();
  for (const [name, data] of readZip(buf, path)) {
    if (!name.endsWith(".npy")) continue;
    const key = name.slice(0, -4);
    arrays.set(key, parseNpy(data, `"${path}" array "${key}"`));
  }
  return arrays;
}
