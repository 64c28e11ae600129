/**
 * Writers of tiny dataset files for the data tests: .npy, .npz (stored or deflated zip),
 * PNG and JPEG images, image folders. Independent of the readers under test, except for the
 * zip CRC, which the format needs.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { deflateRawSync } from "node:zlib";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { crc32 } from "../../src/data/npy.js";

/** dtype → element size and writer (little-endian). */
const WRITERS: Record<string, [number, (b: Buffer, v: number, o: number) => void]> = {
  "<f4": [4, (b, v, o) => b.writeFloatLE(v, o)],
  "<f8": [8, (b, v, o) => b.writeDoubleLE(v, o)],
  "|u1": [1, (b, v, o) => b.writeUInt8(v, o)],
  "<i4": [4, (b, v, o) => b.writeInt32LE(v, o)],
  "<i8": [8, (b, v, o) => b.writeBigInt64LE(BigInt(v), o)],
};

/** A version-1 .npy file. */
export function npyBytes(dtype: string, shape: readonly number[], values: ArrayLike<number>, header?: string): Buffer {
  const [size, write] = WRITERS[dtype] ?? [0, () => undefined];
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let dict = header ?? `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  dict += " ".repeat((64 - ((10 + dict.length + 1) % 64)) % 64) + "\n";
  const head = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
  head.writeUInt16LE(dict.length, 8);
  const data = Buffer.alloc(values.length * size);
  for (let i = 0; i < values.length; i++) write(data, values[i] ?? 0, i * size);
  return Buffer.concat([head, Buffer.from(dict, "latin1"), data]);
}

/**
 * A zip archive of `entries` (stored, or deflated with `deflate`), as numpy.savez writes one;
 * with `zip64`, the central directory gives sizes and offsets in zip64 extra fields.
 */
export function zipBytes(entries: Readonly<Record<string, Buffer>>, deflate = false, zip64 = false): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of Object.entries(entries)) {
    const body = deflate ? deflateRawSync(data) : data;
    const nameBuf = Buffer.from(name, "utf8");
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc32(data), 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(45, 4);
    cd.writeUInt16LE(45, 6);
    cd.writeUInt16LE(deflate ? 8 : 0, 10);
    cd.writeUInt32LE(crc32(data), 16);
    cd.writeUInt32LE(zip64 ? 0xffffffff : body.length, 20);
    cd.writeUInt32LE(zip64 ? 0xffffffff : data.length, 24);
    cd.writeUInt16LE(nameBuf.length, 28);
    cd.writeUInt32LE(zip64 ? 0xffffffff : offset, 42);
    const extra = Buffer.alloc(zip64 ? 28 : 0);
    if (zip64) {
      // id 1, then the uncompressed size, the compressed size and the local header offset.
      extra.writeUInt16LE(1, 0);
      extra.writeUInt16LE(24, 2);
      extra.writeBigUInt64LE(BigInt(data.length), 4);
      extra.writeBigUInt64LE(BigInt(body.length), 12);
      extra.writeBigUInt64LE(BigInt(offset), 20);
      cd.writeUInt16LE(extra.length, 30);
    }
    locals.push(local, nameBuf, body);
    central.push(cd, nameBuf, extra);
    offset += 30 + nameBuf.length + body.length;
  }
  const cdBuf = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(cdBuf.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cdBuf, end]);
}

/** RGBA pixels of a `w x h` image: `pixel(x, y)` gives [r, g, b]. */
function rgba(w: number, h: number, pixel: (x: number, y: number) => readonly [number, number, number]): Buffer {
  const data = Buffer.alloc(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [r, g, b] = pixel(x, y);
      data.set([r, g, b, 255], (y * w + x) * 4);
    }
  }
  return data;
}

/** A PNG file. */
export function pngBytes(w: number, h: number, pixel: (x: number, y: number) => readonly [number, number, number]): Buffer {
  const png = new PNG({ width: w, height: h });
  rgba(w, h, pixel).copy(png.data);
  return PNG.sync.write(png);
}

/** A JPEG file (quality 95). */
export function jpegBytes(w: number, h: number, pixel: (x: number, y: number) => readonly [number, number, number]): Buffer {
  return jpeg.encode({ width: w, height: h, data: rgba(w, h, pixel) }, 95).data;
}

/** Writes `files` (path relative to `dir` → bytes), creating folders. */
export async function writeTree(dir: string, files: Readonly<Record<string, Buffer | string>>): Promise<string> {
  for (const [rel, data] of Object.entries(files)) {
    const p = join(dir, rel);
    await mkdir(join(p, ".."), { recursive: true });
    await writeFile(p, data);
  }
  return dir;
}
