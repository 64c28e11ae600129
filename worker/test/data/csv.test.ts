import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadCsv } from "../../src/data/csv.js";
import { DatasetError } from "../../src/errors.js";

let dir: string;
let files = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "prunesweep-csv-"));
});

async function csv(name: string, text: string): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, text);
  return p;
}

describe("CSV datasets", () => {
  it("reads numeric features and integer labels in any column, with quotes and CRLF", async () => {
    const file = await csv("ok.csv", 'a,class,"b, quoted"\r\n1.5,2,-3\r\n0,0,"4"\r\n\r\n');
    const raw = await loadCsv({ kind: "csv", file, label: "class" });
    expect(raw.count).toBe(2);
    expect(raw.inputShape).toEqual([2]);
    expect(Array.from(raw.x)).toEqual([1.5, -3, 0, 4]);
    expect(Array.from(raw.y)).toEqual([2, 0]);
    expect(raw.numClasses).toBe(3);
    expect(raw.classNames).toBeUndefined();
  });

  it("maps class names to indices in sorted order", async () => {
    const file = await csv("names.csv", "x,species\n1,versicolor\n2,setosa\n3,versicolor\n");
    const raw = await loadCsv({ kind: "csv", file, label: "species" });
    expect(raw.classNames).toEqual(["setosa", "versicolor"]);
    expect(Array.from(raw.y)).toEqual([1, 0, 1]);
  });

  it.each<[string, string, string, RegExp]>([
    ["a missing label column", "x,y\n1,0\n", "label", /has no column "label"; its header has: x, y/],
    ["a non-numeric feature", "x,label\n1,0\nabc,1\n", "label", /line 3, column "x": "abc" is not a finite number/],
    ["a short row", "x,z,label\n1,2,0\n1,1\n", "label", /line 3 has 2 fields; the header has 3/],
    ["no data rows", "x,label\n", "label", /has a header but no data rows/],
    ["a negative label", "x,label\n1,0\n2,-1\n", "label", /column "label": label -1 of example 1 is out of range/],
    ["an unclosed quote", 'x,label\n"1,0\n', "label", /quoted field .* is never closed/],
  ])("rejects %s, naming the file", async (_what, text, label, message) => {
    const file = await csv(`bad-${files++}.csv`, text);
    const err: unknown = await loadCsv({ kind: "csv", file, label }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toMatch(message);
  });
});
