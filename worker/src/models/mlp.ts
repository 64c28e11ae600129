/** Multi-layer perceptrons: LeNet-300-100 and the configurable `mlp`. */
import * as z from "zod";
import { NetBuilder, type Net } from "./net.js";
import type { ModelBuildArgs } from "./registry-types.js";

const activationSchema = z.enum(["relu", "tanh"]);

/** `modelOptions` of `mlp`. */
export const mlpOptionsSchema = z.strictObject({
  /** Hidden layer widths. @default [300, 100] */
  hidden: z.array(z.number().int().min(1).max(16384)).min(0).max(32).default([300, 100]),
  /** @default "relu" */
  activation: activationSchema.default("relu"),
});

/** `modelOptions` of `lenet-300-100` (the widths are fixed). */
export const lenet300100OptionsSchema = z.strictObject({
  activation: activationSchema.default("relu"),
});

function buildMlp(architecture: string, hidden: readonly number[], activation: "relu" | "tanh", args: ModelBuildArgs): Net {
  const b = new NetBuilder(architecture, args.inputShape, args.numClasses, args.seed).flatten();
  hidden.forEach((units, i) => b.dense(`fc${i + 1}`, units, activation));
  return b.dense("out", args.numClasses, "linear").build();
}

/** LeNet-300-100 (LeCun et al. 1998): input-300-100-classes, ReLU. */
export function buildLenet300100(args: ModelBuildArgs): Net {
  const opts = lenet300100OptionsSchema.parse(args.options);
  return buildMlp("lenet-300-100", [300, 100], opts.activation, args);
}

/** A plain MLP with `modelOptions.hidden` widths. */
export function buildMlpModel(args: ModelBuildArgs): Net {
  const opts = mlpOptionsSchema.parse(args.options);
  return buildMlp("mlp", opts.hidden, opts.activation, args);
}
