// Reads an image folder the way the example's spec has prunesweep read it, for make-model.mjs
// and check-model.mjs.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(import.meta.url);
const { PNG } = require("pngjs");
const jpeg = require("jpeg-js");

/**
 * Reads an image folder (one sub-folder per class, classes in sorted order as prunesweep reads
 * them) into gray pixels scaled to [0, 1]: what the spec's `dataset: { images: DIR }` gives
 * the model when the spec sets no `normalize`.
 */
export function readImageFolder(dir) {
  const classes = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const xs = [];
  const ys = [];
  classes.forEach((c, label) => {
    for (const f of readdirSync(join(dir, c)).sort()) {
      const bytes = readFileSync(join(dir, c, f));
      const img = /\.png$/i.test(f) ? PNG.sync.read(bytes) : jpeg.decode(bytes, { useTArray: true });
      const gray = new Float32Array(img.width * img.height);
      for (let p = 0; p < gray.length; p++) {
        const [r, g, b] = [img.data[p * 4], img.data[p * 4 + 1], img.data[p * 4 + 2]];
        gray[p] = Math.round(0.299 * r + 0.587 * g + 0.114 * b) / 255;
      }
      xs.push(gray);
      ys.push(label);
    }
  });
  return { xs, ys, classes };
}

