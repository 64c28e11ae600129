/**
 * A compact binary encoding of {@link SerializedWeights} for object stores:
 * `"PSW1"` magic, uint32 LE header length, UTF-8 JSON header
 * `{ tensors: [{ name, shape }], meta }`, zero padding to a multiple of 4, then every
 * tensor's float32 values (little-endian) in header order.
 */
import { WeightsMismatchError } from "../errors.js";
import type { SerializedTensor, SerializedWeights } from "../models/serialized-weights.js";

const MAGIC = "PSW1";

/** Encodes weights to bytes. */
export function encodeWeights(w: SerializedWeights): Uint8Array {
  const header = new TextEncoder().encode(JSON.stringify({ tensors: w.tensors.map((t) => ({ name: t.name, shape: t.shape })), meta: w.meta ?? {} }));
  const headerEnd = 8 + header.length;
  const dataStart = Math.ceil(headerEnd / 4) * 4;
  const floats = w.tensors.reduce((a, t) => a + t.data.length, 0);
  const out = new Uint8Array(dataStart + floats * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 4; i++) out[i] = MAGIC.charCodeAt(i);
  view.setUint32(4, header.length, true);
  out.set(header, 8);
  let off = dataStart;
  for (const t of w.tensors) {
    for (let i = 0; i < t.data.length; i++) view.setFloat32(off + i * 4, t.data[i] ?? 0, true);
    off += t.data.length * 4;
  }
  return out;
}

/**
 * Decodes bytes written by {@link encodeWeights}.
 * @throws WeightsMismatchError when the bytes are not a valid encoding
 */
export function decodeWeights(bytes: Uint8Array): SerializedWeights {
  const bad = (why: string): never => {
    throw new WeightsMismatchError(`corrupt weights artifact: ${why}`);
  };
  if (bytes.length < 8 || String.fromCharCode(...bytes.subarray(0, 4)) !== MAGIC) bad("bad magic");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = view.getUint32(4, true);
  if (8 + headerLen > bytes.length) bad("header past the end");
  let header: { tensors?: { name?: unknown; shape?: unknown }[]; meta?: Record<string, string | number | boolean> };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLen))) as typeof header;
  } catch {
    return bad("header is not JSON");
  }
  if (!Array.isArray(header.tensors)) bad("header lacks tensors");
  let off = Math.ceil((8 + headerLen) / 4) * 4;
  const tensors: SerializedTensor[] = [];
  for (const t of header.tensors ?? []) {
    if (typeof t.name !== "string" || !Array.isArray(t.shape) || !t.shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) bad("bad tensor entry");
    const shape = t.shape as number[];
    const n = shape.reduce((a, b) => a * b, 1);
    if (off + n * 4 > bytes.length) bad(`tensor "${String(t.name)}" past the end`);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = view.getFloat32(off + i * 4, true);
    tensors.push({ name: t.name as string, shape, data });
    off += n * 4;
  }
  if (off !== bytes.length) bad(`${bytes.length - off} trailing bytes`);
  return { tensors, meta: header.meta ?? {} };
}
