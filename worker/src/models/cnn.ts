/**
 * Convolutional models.
 *
 * `lenet5` — LeNet-5, our variant: conv(k, 6, padding same)-ReLU-maxpool2, conv(k, 16, valid)-
 * ReLU-maxpool2, fc 120, fc 84, classifier (classic widths 6-16-120-84, ≈61.7k parameters on
 * 28x28 MNIST). Differences from LeCun 1998: ReLU instead of tanh/sigmoid, max-pooling instead
 * of trainable subsampling, full C3 connectivity, and the first conv padded ("same") so that a
 * 28x28 input follows the classic 32x32 geometry (28→14→10→5, 5·5·16 = 400 features).
 * Blocks (for exits and LayerPrune): conv1+pool1, conv2+pool2, fc1, fc2 — none is
 * shape-preserving, so LayerPrune finds no removable layer; filter pruning and gates apply.
 *
 * `resnet8` / `resnet14` / `resnet20` — CIFAR ResNet (He et al. 2016): a 3x3 stem conv, three
 * stages of n = (depth − 2) / 6 basic blocks with 16/32/64 filters (`baseWidth` 16; stride 2
 * at the first block of stages 2 and 3), global average pooling, linear classifier. BatchNorm
 * after every conv by default (`batchNorm: false` gives conv + bias; the `bn_scale` criterion
 * then has nothing to read). Shortcuts of the two downsampling blocks are option A (zero-pad,
 * parameter-free, as the CIFAR paper) by default, `shortcut: B` for 1x1 conv + BN. Every
 * block is one block for exits; all but the downsampling blocks are removable (methods.md §2.4).
 */
import * as z from "zod";
import { exitOptionsShape } from "./exits.js";
import { NetBuilder } from "./net-builder.js";
import type { Net } from "./net.js";
import type { ModelBuildArgs } from "./registry-types.js";

const width = z.number().int().min(1).max(4096);

/** `modelOptions` of `lenet5`. */
const lenet5OptionsSchema = z.strictObject({
  /** Filters of the two convs. @default [6, 16] */
  channels: z.tuple([width, width]).default([6, 16]),
  /** Widths of the two hidden dense layers. @default [120, 84] */
  hidden: z.tuple([width, width]).default([120, 84]),
  /** Kernel size of both convs. @default 5 */
  kernelSize: z.number().int().min(1).max(11).default(5),
  /** @default "relu" */
  activation: z.enum(["relu", "tanh"]).default("relu"),
  /** BatchNorm after each conv. @default false */
  batchNorm: z.boolean().default(false),
  ...exitOptionsShape,
});

/** `modelOptions` of `resnet8/14/20`. */
const resnetOptionsSchema = z.strictObject({
  /** Filters of stage 1 (stages 2 and 3 use 2x and 4x). @default 16 */
  baseWidth: width.default(16),
  /** @default true */
  batchNorm: z.boolean().default(true),
  /** Shortcut of the downsampling blocks. @default "A" */
  shortcut: z.enum(["A", "B"]).default("A"),
  ...exitOptionsShape,
});

/** LeNet-5 (variant above). */
export function buildLenet5(args: ModelBuildArgs): Net {
  const o = lenet5OptionsSchema.parse(args.options);
  const [c1, c2] = o.channels;
  const [h1, h2] = o.hidden;
  const b = new NetBuilder("lenet5", args.inputShape, args.numClasses, args.seed);
  b.block("conv1", false, (bb) => bb.conv("conv1", { filters: c1, kernelSize: o.kernelSize, padding: "same", activation: o.activation, batchNorm: o.batchNorm }).maxPool("pool1"));
  b.block("conv2", false, (bb) => bb.conv("conv2", { filters: c2, kernelSize: o.kernelSize, padding: "valid", activation: o.activation, batchNorm: o.batchNorm }).maxPool("pool2"));
  b.block("fc1", true, (bb) => bb.dense("fc1", h1, o.activation));
  b.block("fc2", true, (bb) => bb.dense("fc2", h2, o.activation));
  return b.dense("out", args.numClasses, "linear").build(args.exits, o);
}

/** A CIFAR ResNet of `depth` = 6n + 2 layers. */
export function buildResnet(depth: number, args: ModelBuildArgs): Net {
  const o = resnetOptionsSchema.parse(args.options);
  const n = (depth - 2) / 6;
  const b = new NetBuilder(`resnet${depth}`, args.inputShape, args.numClasses, args.seed);
  b.conv("stem", { filters: o.baseWidth, kernelSize: 3, activation: "relu", batchNorm: o.batchNorm });
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < n; i++) {
      const name = `s${s + 1}b${i + 1}`;
      const downsample = s > 0 && i === 0;
      b.block(name, !downsample, (bb) =>
        bb.basicBlock(name, { filters: o.baseWidth * 2 ** s, stride: downsample ? 2 : 1, batchNorm: o.batchNorm, shortcut: o.shortcut }),
      );
    }
  }
  return b.globalAvgPool("gap").dense("out", args.numClasses, "linear").build(args.exits, o);
}
