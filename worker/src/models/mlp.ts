/**
 * Multi-layer perceptrons. Every hidden layer (or residual block) is one block: early exits
 * sit after blocks, and LayerPrune removes blocks whose input and output widths are equal.
 *
 * - `lenet-300-100` (LeCun et al. 1998): input-300-100-classes.
 * - `mlp`: hidden widths from `modelOptions.hidden`.
 * - `sap-mlp`: the SAP paper's `mlp`, input-128-256-classes (methods.md §1.5).
 * - `deep-mlp`: `depth` hidden layers of equal `width` (methods.md §2.9, 784-256x6-10): every
 *   hidden layer but the first is shape-preserving, hence removable.
 * - `res-mlp`: a dense stem input→width, then `blocks` residual blocks
 *   `act(x + fc2(act(fc1(x))))`, all removable.
 */
import * as z from "zod";
import { exitOptionsShape } from "./exits.js";
import { NetBuilder } from "./net-builder.js";
import type { Net } from "./net.js";
import type { ModelBuildArgs } from "./registry-types.js";

const activationSchema = z.enum(["relu", "tanh"]);
const width = z.number().int().min(1).max(16384);

/** `modelOptions` of `mlp`. */
const mlpOptionsSchema = z.strictObject({
  /** Hidden layer widths. @default [300, 100] */
  hidden: z.array(width).min(0).max(32).default([300, 100]),
  /** @default "relu" */
  activation: activationSchema.default("relu"),
  ...exitOptionsShape,
});

/** `modelOptions` of `lenet-300-100` and `sap-mlp` (the widths are fixed). */
const lenet300100OptionsSchema = z.strictObject({
  activation: activationSchema.default("relu"),
  ...exitOptionsShape,
});

/** `modelOptions` of `deep-mlp`. */
const deepMlpOptionsSchema = z.strictObject({
  /** @default 256 */
  width: width.default(256),
  /** Number of hidden layers. @default 6 */
  depth: z.number().int().min(1).max(64).default(6),
  activation: activationSchema.default("relu"),
  ...exitOptionsShape,
});

/** `modelOptions` of `res-mlp`. */
const resMlpOptionsSchema = z.strictObject({
  /** @default 256 */
  width: width.default(256),
  /** Number of residual blocks. @default 4 */
  blocks: z.number().int().min(1).max(64).default(4),
  activation: activationSchema.default("relu"),
  ...exitOptionsShape,
});

type ExitOpts = z.output<typeof lenet300100OptionsSchema>;

function buildMlp(architecture: string, hidden: readonly number[], opts: ExitOpts, args: ModelBuildArgs): Net {
  const b = new NetBuilder(architecture, args.inputShape, args.numClasses, args.seed).flatten();
  hidden.forEach((units, i) => b.block(`fc${i + 1}`, true, (bb) => bb.dense(`fc${i + 1}`, units, opts.activation)));
  return b.dense("out", args.numClasses, "linear").build(args.exits, opts);
}

/** LeNet-300-100: input-300-100-classes, ReLU. */
export function buildLenet300100(args: ModelBuildArgs): Net {
  return buildMlp("lenet-300-100", [300, 100], lenet300100OptionsSchema.parse(args.options), args);
}

/** The SAP paper's MLP: input-128-256-classes, ReLU. */
export function buildSapMlp(args: ModelBuildArgs): Net {
  return buildMlp("sap-mlp", [128, 256], lenet300100OptionsSchema.parse(args.options), args);
}

/** A plain MLP with `modelOptions.hidden` widths. */
export function buildMlpModel(args: ModelBuildArgs): Net {
  const opts = mlpOptionsSchema.parse(args.options);
  return buildMlp("mlp", opts.hidden, opts, args);
}

/** `depth` hidden layers of `width` units. */
export function buildDeepMlp(args: ModelBuildArgs): Net {
  const opts = deepMlpOptionsSchema.parse(args.options);
  return buildMlp("deep-mlp", Array.from({ length: opts.depth }, () => opts.width), opts, args);
}

/** Dense stem, then residual blocks of two dense layers. */
export function buildResMlp(args: ModelBuildArgs): Net {
  const opts = resMlpOptionsSchema.parse(args.options);
  const b = new NetBuilder("res-mlp", args.inputShape, args.numClasses, args.seed).flatten().dense("stem", opts.width, opts.activation);
  for (let i = 1; i <= opts.blocks; i++) b.block(`b${i}`, true, (bb) => bb.resMlpBlock(`b${i}`, opts.activation));
  return b.dense("out", args.numClasses, "linear").build(args.exits, opts);
}
