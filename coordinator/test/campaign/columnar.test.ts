import { describe, expect, it } from "vitest";
import { BlobReader, BlobWriter, decodeTable, encodeTable, LazyTable, packBlobs } from "../../src/campaign/columnar.js";

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

  it("stores whole numbers in 4 bytes (as they are, or as steps from the previous) and gives every number back exactly", async () => {
    const rows = Array.from({ length: 1000 }, (_, i) => ({ n: i - 500, at: 1_767_225_600_000 + 10 * i, big: i === 7 ? 2 ** 53 - 1 : i, f: i / 3, z: i === 3 ? -0 : 0 }));
    const w = new BlobWriter();
    const desc = await encodeTable(w, rows);
    expect(Object.fromEntries(Object.entries(desc.cols).map(([k, c]) => [k, "e" in c ? c.e : "f64"]))).toEqual({ n: "i32", at: "d32", big: "f64", f: "f64", z: "f64" });
    const back = await roundTrip(rows);
    expect(back).toEqual(rows);
    expect(Object.is(back[3]?.["z"], -0)).toBe(true);
  });

  it("reads any range of rows and single cells in place, equal to the rows written", async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => ({
      id: `t-${i}`,
      ...(i % 3 === 0 && { extra: i }),
      s: i % 5 === 0 ? "\ud800 lone" : "é ok",
      o: i % 2 ? { p: i } : { q: `x${i % 7}` },
      l: i % 4 === 1 ? [{ k: i }, { k: -i }] : [],
    }));
    const w = new BlobWriter();
    const desc = await encodeTable(w, rows);
    const { bytes, offsets } = packBlobs(w.blobs);
    const table = new LazyTable(new BlobReader(bytes, offsets, w.blobs.map((b) => b.byteLength)), JSON.parse(JSON.stringify(desc)));
    table.check();
    for (const [from, to] of [[2999, 3000], [1023, 1026], [0, 1], [1500, 2600], [0, 3000], [7, 7]] as const) {
      expect(JSON.stringify(table.rows(from, to))).toBe(JSON.stringify(rows.slice(from, to)));
    }
    expect(table.cell("id", 2048)).toBe("t-2048");
    expect(table.cell("extra", 2049)).toBe(2049);
    expect(table.cell("extra", 2050)).toBeUndefined();
    expect(table.cell("s", 10)).toBe("\ud800 lone");
    expect(table.reader("id")?.(17)).toBe("t-17");
    expect(table.reader("extra")).toBeUndefined();
    expect(() => table.rows(2, 1)).toThrow(RangeError);
  });
});
