/**
 * `{images: dir}`: an image folder, one sub-folder per class (sorted names are the class
 * indices), PNG (pngjs) and JPEG (jpeg-js) files decoded in pure JavaScript, converted to one
 * shape `[height, width, channels]`:
 * - size: the given `[height, width]` (every image is resized, bilinear); unset, the first
 *   image's, and an image of another size is an error;
 * - channels: the given 1 (grayscale, ITU-R 601 luma) or 3 (RGB); unset, 1 when every image
 *   is gray and 3 otherwise. Alpha is dropped.
 * Pixels stay bytes (scaled by 1/255 when split, like IDX and CIFAR-10).
 */
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import type { ImagesSource } from "@prunesweep/proto";
import { DatasetError } from "../errors.js";
import { listImageFolder, localFiles, type DatasetFiles } from "./dataset-files.js";
import type { RawExamples } from "./types.js";

/** Decoding limits: larger images are refused rather than exhausting memory. */
const MAX_MEGAPIXELS = 64;
/** Files read at once. */
const READ_CONCURRENCY = 16;

/** The shape to convert to; fields left unset come from the images. */
export interface ImageTarget {
  readonly size?: readonly [number, number];
  readonly channels?: 1 | 3;
}

interface Rgba {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** Decodes a PNG or JPEG (by its magic bytes) to RGBA. */
function decodeImage(buf: Buffer, path: string): Rgba {
  const fail = (why: string, cause?: unknown): never => {
    throw new DatasetError(`image "${path}" is unreadable: ${why}`, cause === undefined ? undefined : { cause });
  };
  const isPng = buf.length >= 8 && buf.readUInt32BE(0) === 0x89504e47;
  const isJpeg = buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff;
  let img: Rgba | undefined;
  try {
    if (isPng) img = PNG.sync.read(buf);
    else if (isJpeg) img = jpeg.decode(buf, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_MEGAPIXELS });
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err), err);
  }
  if (!img) return fail("not a PNG or JPEG file");
  if (img.width < 1 || img.height < 1) return fail(`it is ${img.width}x${img.height} pixels`);
  if (img.data.length < img.width * img.height * 4) return fail("its pixel data is truncated");
  return img;
}

/** RGBA → RGB at `h x w`, bilinear when the size differs (pixel centres aligned). */
function toRgb(img: Rgba, h: number, w: number): Uint8Array {
  const out = new Uint8Array(h * w * 3);
  const src = img.data;
  if (img.width === w && img.height === h) {
    for (let p = 0; p < h * w; p++) {
      out[p * 3] = src[p * 4] ?? 0;
      out[p * 3 + 1] = src[p * 4 + 1] ?? 0;
      out[p * 3 + 2] = src[p * 4 + 2] ?? 0;
    }
    return out;
  }
  const sy = img.height / h;
  const sx = img.width / w;
  for (let oy = 0; oy < h; oy++) {
    const fy = Math.min(img.height - 1, Math.max(0, (oy + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(img.height - 1, y0 + 1);
    const wy = fy - y0;
    for (let ox = 0; ox < w; ox++) {
      const fx = Math.min(img.width - 1, Math.max(0, (ox + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(img.width - 1, x0 + 1);
      const wx = fx - x0;
      for (let c = 0; c < 3; c++) {
        const at = (y: number, x: number): number => src[(y * img.width + x) * 4 + c] ?? 0;
        const top = at(y0, x0) * (1 - wx) + at(y0, x1) * wx;
        const bottom = at(y1, x0) * (1 - wx) + at(y1, x1) * wx;
        out[(oy * w + ox) * 3 + c] = Math.round(top * (1 - wy) + bottom * wy);
      }
    }
  }
  return out;
}

/** Whether some pixel of an RGB buffer is not gray. */
function hasColour(rgb: Uint8Array): boolean {
  for (let i = 0; i < rgb.length; i += 3) if (rgb[i] !== rgb[i + 1] || rgb[i] !== rgb[i + 2]) return true;
  return false;
}

/**
 * Loads an image folder (see the module comment).
 * @param target overrides the source's `size` and `channels` (the model's input, or the
 *   training set's shape for a test set)
 * @throws DatasetError naming the folder or file: no classes, an empty class folder, an
 *   unreadable image, an image of another size when no size is set
 */
export async function loadImageFolder(source: ImagesSource, target: ImageTarget = {}, files: DatasetFiles = localFiles): Promise<RawExamples> {
  const { classes, images } = await listImageFolder(source.dir, files);
  const size = target.size ?? source.size;
  let h = size?.[0] ?? 0;
  let w = size?.[1] ?? 0;
  let first = "";
  const rgb: Uint8Array[] = [];
  let colour = false;
  for (let start = 0; start < images.length; start += READ_CONCURRENCY) {
    const batch = images.slice(start, start + READ_CONCURRENCY);
    const bufs = await Promise.all(batch.map((i) => files.read(i.path)));
    bufs.forEach((buf, k) => {
      const path = (batch[k] as (typeof images)[number]).path;
      const img = decodeImage(buf, path);
      if (h === 0) {
        h = img.height;
        w = img.width;
        first = path;
      } else if (!size && (img.height !== h || img.width !== w)) {
        throw new DatasetError(
          `image "${path}" is ${img.width}x${img.height} pixels (width x height), but "${first}" is ${w}x${h}: images must have one size, or set size: [height, width] to resize them`,
        );
      }
      const pixels = toRgb(img, h, w);
      if (!colour && hasColour(pixels)) colour = true;
      rgb.push(pixels);
    });
  }
  const channels = target.channels ?? source.channels ?? (colour ? 3 : 1);
  const per = h * w * channels;
  const x = new Uint8Array(images.length * per);
  rgb.forEach((pixels, i) => {
    if (channels === 3) x.set(pixels, i * per);
    else for (let p = 0; p < h * w; p++) x[i * per + p] = Math.round(0.299 * (pixels[p * 3] ?? 0) + 0.587 * (pixels[p * 3 + 1] ?? 0) + 0.114 * (pixels[p * 3 + 2] ?? 0));
  });
  const index = new Map(classes.map((c, i) => [c, i]));
  const y = Int32Array.from(images, (img) => index.get(img.className) ?? 0);
  return { x, scale: 1 / 255, y, count: images.length, inputShape: [h, w, channels], numClasses: Math.max(2, classes.length), name: source.dir, classNames: classes };
}
