import { describe, expect, it } from "vitest";
import { BlobReader, BlobWriter, decodeTable, encodeTable, packBlobs } from "../../src/campaign/columnar.js";

async function roundTrip(rows: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
  const w = new BlobWriter();
  const t = await encodeTable(w, rows);
  const { bytes, offsets } = packBlobs(w.blobs);
  // Through JSON, as the header travels.
  return decodeTable(new BlobReader(bytes, offsets, w.blobs.map((b) => b.byteLength)), JSON.parse(JSON.stringify(t)));
}

describe("columnar tables", async () => {
  it("round-trips mixed, nested and missing values with each row's key order", async () => {
    const rows = [
      { a: 1, s: "x", o: { p: 1, q: "u" }, l: [{ k: 1 }, { k: 2, m: { z: 0 } }], j: [1, 2], b: true, n: null },
      { s: "x", a: -0, o: { q: "v" }, l: [], j: "str", b: false, n: 3 },
      { z: Number.MAX_VALUE, a: Number.NaN, __proto__x: 1 },
      {},
    ];
    const back = await roundTrip(rows);
    expect(back).toEqual(rows);
    expect(back.map((r) => Object.keys(r))).toEqual(rows.map((r) => Object.keys(r)));
    expect(Object.is(back[1]?.["a"], -0)).toBe(true);
  });

  it("keeps a key named __proto__ as an own key", async () => {
    const row = JSON.parse('{"__proto__": 5, "b": 1}') as Record<string, unknown>;
    const [back] = await roundTrip([row]);
    expect(Object.keys(back ?? {})).toEqual(["__proto__", "b"]);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
  });

  it("stores a repeated string once: a byte per row for its index, a byte per row for the shape", async () => {
    const w = new BlobWriter();
    await encodeTable(w, Array.from({ length: 1000 }, () => ({ worker: "a-rather-long-worker-identifier" })));
    expect(w.blobs.reduce((n, b) => n + b.byteLength, 0)).toBeLessThan(2 * 1000 + 100);
  });

  it("rejects a blob out of bounds", async () => {
    const w = new BlobWriter();
    const t = await encodeTable(w, [{ a: 1 }]);
    const { bytes, offsets } = packBlobs(w.blobs);
    expect(() => decodeTable(new BlobReader(bytes.subarray(0, 4), offsets, w.blobs.map((b) => b.byteLength)), t)).toThrow(/out of bounds/);
  });
});
