/**
 * The model catalogue: every architecture a worker builds (`task.model`), the input it
 * takes, what a block is (early exits sit after blocks; LayerPrune removes shape-preserving
 * ones) and its `modelOptions` with their ranges and defaults, as zod schemas. The spec's
 * model names and JSON Schema are derived from it, and the worker's builders parse their
 * options with these schemas; its builder registry is typed against {@link ModelName}.
 */
import * as z from "zod";

/** Default τ grid of the max-softmax exit criterion (exit when max_c p_c ≥ τ). */
export const DEFAULT_TAU_GRID_MAX_SOFTMAX: readonly number[] = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0];
/** Default τ grid of the normalised-entropy exit criterion (exit when H(p)/ln C ≤ τ). */
export const DEFAULT_TAU_GRID_ENTROPY: readonly number[] = [0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5];
/** Default tolerated accuracy drop of the early-exit operating point. */
export const DEFAULT_MAX_ACCURACY_DROP = 0.01;

/** Early-exit criteria. */
export const EXIT_CRITERIA = ["max-softmax", "entropy"] as const;

/** `modelOptions` keys shared by every model: how early exits are trained and operated. */
export const exitOptionsShape = {
  exitLossWeights: z
    .union([z.enum(["uniform", "increasing"]), z.array(z.number().min(0)).min(1).max(64)])
    .default("uniform")
    .describe("exit loss weights w_k of Σ_k w_k · CE_k: uniform (1), increasing (k/K) or K weights, final exit last"),
  exitRule: z
    .strictObject({
      criterion: z.enum(EXIT_CRITERIA).default("max-softmax"),
      tau: z.number().min(0).max(1).optional(),
      maxAccuracyDrop: z.number().min(0).max(1).default(DEFAULT_MAX_ACCURACY_DROP),
    })
    .prefault({})
    .describe("{criterion: max-softmax | entropy, maxAccuracyDrop} picks the cheapest τ within that drop of the final exit on validation; {tau} fixes it"),
  tauGrid: z
    .array(z.number().min(0).max(1))
    .min(1)
    .max(64)
    .optional()
    .describe("τ values of the accuracy-vs-cost curve (unset: a grid per criterion)"),
};

/** The exit options alone (what a model without options of its own accepts). */
export const exitOptionsSchema = z.strictObject(exitOptionsShape);

/** Parsed exit options. */
export type ExitOptions = z.output<typeof exitOptionsSchema>;

const activation = z.enum(["relu", "tanh"]).default("relu").describe("activation of the hidden layers");
const mlpWidth = z.number().int().min(1).max(16384);
const convWidth = z.number().int().min(1).max(4096);

/** `modelOptions` of `lenet-300-100` and `sap-mlp` (the widths are fixed). */
const fixedMlpOptions = z.strictObject({ activation, ...exitOptionsShape });

/** `modelOptions` of the ResNets. */
const resnetOptions = z.strictObject({
  baseWidth: convWidth.default(16).describe("filters of stage 1 (stages 2 and 3 use 2x and 4x)"),
  batchNorm: z.boolean().default(true).describe("BatchNorm after every conv (false: conv + bias)"),
  shortcut: z.enum(["A", "B"]).default("A").describe("shortcut of the downsampling blocks: A zero-pads (no parameters), B is 1x1 conv + BN"),
  ...exitOptionsShape,
});

/** What input a model takes (`declared`: the input shape its model.json declares). */
export type ModelInput = "any" | "image" | "declared";

/** One catalogued model. */
export interface ModelCatalogEntry {
  readonly name: string;
  readonly description: string;
  /** `any`: any example shape, flattened first; `image`: examples of shape [H, W, C]; `declared`: the imported model's. */
  readonly input: ModelInput;
  /** What one block is; exits sit after blocks (positions 0 … B−1). */
  readonly blocks: string;
  /** Blocks with the default options. */
  readonly defaultBlocks: number;
  /** Which blocks LayerPrune may remove (`layerprune.unit: layer | block`). */
  readonly removable: string;
  /** Removable blocks with the default options (0: only `layerprune.unit: filter` applies). */
  readonly defaultRemovable: number;
  /** `modelOptions`, checked by the worker before anything is built. */
  readonly options: z.ZodType<Record<string, unknown>>;
  /**
   * Blocks and removable blocks of the net built with `options` (parsed by `options`) on
   * examples of `inputFeatures` values; with `inputFeatures` unknown, `removable` is an upper
   * bound (a first dense layer as wide as the input would keep its shape). Undefined for
   * imported models: their structure is read from the model file.
   */
  readonly structure?: (options: Record<string, unknown>, inputFeatures: number | undefined) => ModelStructure;
}

/** What {@link ModelCatalogEntry.structure} tells. */
export interface ModelStructure {
  /** Blocks: exits sit after them (positions 0 … blocks − 1). */
  readonly blocks: number;
  /** Blocks LayerPrune may remove (`layerprune.k` at most this). */
  readonly removable: number;
}

/** Dense layers of `hidden` widths after an input of `input` values: a layer is removable when it keeps its width. */
function denseChain(hidden: readonly number[], input: number | undefined): ModelStructure {
  const removable = hidden.filter((w, i) => (i === 0 ? input === undefined || input === w : hidden[i - 1] === w)).length;
  return { blocks: hidden.length, removable };
}

/** Reads a parsed option (the schema has applied its default). */
const opt = <T>(o: Record<string, unknown>, key: string): T => o[key] as T;

/** ResNet-(6n+2): 3 stages of n basic blocks; the first block of stages 2 and 3 downsamples. */
const resnetStructure = (n: number): ModelStructure => ({ blocks: 3 * n, removable: 3 * n - 2 });

/** Every model, in the order the docs list them. */
export const MODEL_CATALOG = [
  {
    name: "lenet-300-100",
    description: "LeNet-300-100 (LeCun et al. 1998): input-300-100-classes",
    input: "any",
    blocks: "each hidden dense layer",
    defaultBlocks: 2,
    removable: "none (no hidden layer keeps its width)",
    defaultRemovable: 0,
    options: fixedMlpOptions,
    structure: (_o, input) => denseChain([300, 100], input),
  },
  {
    name: "mlp",
    description: "multi-layer perceptron with the hidden widths of `hidden`",
    input: "any",
    blocks: "each hidden dense layer",
    defaultBlocks: 2,
    removable: "hidden layers whose input and output widths are equal",
    defaultRemovable: 0,
    options: z.strictObject({
      hidden: z.array(mlpWidth).min(0).max(32).default([300, 100]).describe("hidden layer widths"),
      activation,
      ...exitOptionsShape,
    }),
    structure: (o, input) => denseChain(opt<number[]>(o, "hidden"), input),
  },
  {
    name: "sap-mlp",
    description: "the SAP paper's MLP: input-128-256-classes",
    input: "any",
    blocks: "each hidden dense layer",
    defaultBlocks: 2,
    removable: "none",
    defaultRemovable: 0,
    options: fixedMlpOptions,
    structure: (_o, input) => denseChain([128, 256], input),
  },
  {
    name: "deep-mlp",
    description: "`depth` hidden layers of equal `width` (LayerPrune's MLP setting)",
    input: "any",
    blocks: "each hidden dense layer",
    defaultBlocks: 6,
    removable: "every hidden layer but the first",
    defaultRemovable: 5,
    options: z.strictObject({
      width: mlpWidth.default(256).describe("units of every hidden layer"),
      depth: z.number().int().min(1).max(64).default(6).describe("hidden layers"),
      activation,
      ...exitOptionsShape,
    }),
    structure: (o, input) => denseChain(Array.from({ length: opt<number>(o, "depth") }, () => opt<number>(o, "width")), input),
  },
  {
    name: "res-mlp",
    description: "a dense stem to `width`, then `blocks` residual blocks act(x + fc2(act(fc1(x))))",
    input: "any",
    blocks: "each residual block",
    defaultBlocks: 4,
    removable: "every residual block",
    defaultRemovable: 4,
    options: z.strictObject({
      width: mlpWidth.default(256).describe("units of the stem and of every block"),
      blocks: z.number().int().min(1).max(64).default(4).describe("residual blocks"),
      activation,
      ...exitOptionsShape,
    }),
    structure: (o) => ({ blocks: opt<number>(o, "blocks"), removable: opt<number>(o, "blocks") }),
  },
  {
    name: "lenet5",
    description: "LeNet-5 with ReLU and max-pooling: conv 6, conv 16, fc 120, fc 84, classifier",
    input: "image",
    blocks: "conv1+pool1, conv2+pool2, fc1, fc2",
    defaultBlocks: 4,
    removable: "none (filter pruning and gates apply)",
    defaultRemovable: 0,
    options: z.strictObject({
      channels: z.tuple([convWidth, convWidth]).default([6, 16]).describe("filters of the two convs"),
      hidden: z.tuple([convWidth, convWidth]).default([120, 84]).describe("widths of the two hidden dense layers"),
      kernelSize: z.number().int().min(1).max(11).default(5).describe("kernel size of both convs"),
      activation,
      batchNorm: z.boolean().default(false).describe("BatchNorm after each conv"),
      ...exitOptionsShape,
    }),
    // fc2 keeps its width when both hidden widths are equal (fc1's input is the flattened conv2 output).
    structure: (o) => ({ blocks: 4, removable: opt<[number, number]>(o, "hidden")[0] === opt<[number, number]>(o, "hidden")[1] ? 1 : 0 }),
  },
  {
    name: "resnet8",
    description: "CIFAR ResNet-8 (He et al. 2016): stem, 3 stages of 1 basic block (16/32/64 filters), pooling, classifier",
    input: "image",
    blocks: "each basic block",
    defaultBlocks: 3,
    removable: "basic blocks that do not downsample",
    defaultRemovable: 1,
    options: resnetOptions,
    structure: () => resnetStructure(1),
  },
  {
    name: "resnet14",
    description: "CIFAR ResNet-14: 3 stages of 2 basic blocks",
    input: "image",
    blocks: "each basic block",
    defaultBlocks: 6,
    removable: "basic blocks that do not downsample",
    defaultRemovable: 4,
    options: resnetOptions,
    structure: () => resnetStructure(2),
  },
  {
    name: "resnet20",
    description: "CIFAR ResNet-20: 3 stages of 3 basic blocks",
    input: "image",
    blocks: "each basic block",
    defaultBlocks: 9,
    removable: "basic blocks that do not downsample",
    defaultRemovable: 7,
    options: resnetOptions,
    structure: () => resnetStructure(3),
  },
  {
    name: "tfjs",
    description: "your own model: `task.model: {tfjs: model.json}`, a TF.js Layers model with its weight shards (`prunesweep inspect` shows what each method can do on it)",
    input: "declared",
    blocks: "each Dense/Conv layer (with the BatchNorm, activation and dropout after it; pooling, flatten and reshape open the next block) and each residual block, the classifier excepted",
    defaultBlocks: 0,
    removable: "blocks whose input and output shapes match",
    defaultRemovable: 0,
    options: exitOptionsSchema,
  },
] as const satisfies readonly ModelCatalogEntry[];

/** The catalogue name of imported models (`task.model: {tfjs: <path>}`). */
export const IMPORTED_MODEL = "tfjs";

/** Names of the catalogued models. */
export type ModelName = (typeof MODEL_CATALOG)[number]["name"];

/** Names of the catalogued models, in catalogue order. */
export const MODEL_NAMES: readonly ModelName[] = MODEL_CATALOG.map((m) => m.name);

/** The catalogue entry of model `N`, with its literal options schema. */
export type ModelEntry<N extends ModelName> = Extract<(typeof MODEL_CATALOG)[number], { readonly name: N }>;

/** The parsed `modelOptions` of model `N`. */
export type ModelOptions<N extends ModelName> = z.output<ModelEntry<N>["options"]>;

/** Looks a model up by name; undefined when unknown. */
export function findModel(name: string): ModelCatalogEntry | undefined {
  return MODEL_CATALOG.find((m) => m.name === name);
}

/** The options schema of a model known at compile time. */
export function modelOptionsSchema<N extends ModelName>(name: N): ModelEntry<N>["options"] {
  const entry: ModelCatalogEntry | undefined = findModel(name);
  return entry?.options as ModelEntry<N>["options"];
}
