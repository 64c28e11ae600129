/**
 * Imported models (`task.model: {tfjs: model.json}`): a pure reader of the TF.js Layers
 * format (what `tensorflowjs_converter --input_format keras` and TF.js `model.save()` write),
 * Keras 2 and Keras 3 layer configs, sequential and functional. It reads the topology and the
 * weights manifest, never the weight values, and produces a {@link ModelPlan}: the layers in
 * execution order with their per-example shapes, residual blocks (a fork joined by `Add`),
 * blocks (the unit of depth for early exits and LayerPrune), filter groups, params and MACs.
 *
 * The coordinator validates a spec against the plan before dispatch and `prunesweep inspect`
 * prints it; the worker builds its net from the same plan, so both agree on blocks, exit
 * positions and removable layers by construction.
 */

/** Keras classes the reader accepts. */
export const SUPPORTED_LAYER_CLASSES = [
  "InputLayer",
  "Dense",
  "Conv2D",
  "DepthwiseConv2D",
  "BatchNormalization",
  "Activation",
  "ReLU",
  "LeakyReLU",
  "ELU",
  "Softmax",
  "MaxPooling2D",
  "AveragePooling2D",
  "GlobalAveragePooling2D",
  "Flatten",
  "Reshape",
  "Dropout",
  "Add",
] as const;

/** Activation functions of `activation` configs and activation layers. */
export const SUPPORTED_ACTIVATIONS = ["linear", "relu", "relu6", "tanh", "sigmoid", "elu", "selu", "swish", "silu", "softplus", "leaky_relu", "softmax"] as const;

/** An activation function (softmax only as the model's last operation). */
export type PlanActivation = (typeof SUPPORTED_ACTIVATIONS)[number];

/** One weight tensor of a layer, as the manifest names it. */
export interface PlanWeight {
  /** Role inside the layer: kernel, depthwise_kernel, bias, gamma, beta, moving_mean, moving_variance. */
  readonly role: string;
  /** Name in the weights manifest. */
  readonly name: string;
  readonly shape: readonly number[];
}

/** Layer-specific settings, normalised across Keras versions. */
export type PlanLayerConfig =
  | { readonly op: "dense"; readonly units: number; readonly activation: PlanActivation; readonly useBias: boolean }
  | {
      readonly op: "conv2d" | "depthwise-conv2d";
      /** Filters (conv2d) or depth multiplier (depthwise). */
      readonly filters: number;
      readonly kernelSize: number;
      readonly stride: number;
      readonly padding: "same" | "valid";
      readonly activation: PlanActivation;
      readonly useBias: boolean;
    }
  | { readonly op: "batch-norm"; readonly epsilon: number; readonly center: boolean; readonly scale: boolean }
  | { readonly op: "activation"; readonly activation: PlanActivation; readonly alpha: number }
  | { readonly op: "max-pool" | "avg-pool"; readonly pool: number; readonly stride: number; readonly padding: "same" | "valid" }
  | { readonly op: "global-avg-pool" }
  | { readonly op: "flatten" }
  | { readonly op: "reshape" }
  | { readonly op: "dropout"; readonly rate: number };

/** One layer of the plan (InputLayer and Add are not layers of the plan). */
export interface PlanLayer {
  readonly name: string;
  /** The Keras class, e.g. `Conv2D`. */
  readonly className: string;
  readonly config: PlanLayerConfig;
  /** Per-example shapes. */
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  readonly weights: readonly PlanWeight[];
  /** Every weight value (moving statistics included), as `model.countParams()`. */
  readonly params: number;
  /** Dense multiply-accumulates per example (Dense and Conv only). */
  readonly macs: number;
}

/** A step of the plan: one layer, or a residual block `main(x) + shortcut(x)` joined by an Add layer. */
export type PlanNode =
  | { readonly type: "layer"; readonly layer: PlanLayer }
  | {
      readonly type: "residual";
      /** The Add layer's name. */
      readonly name: string;
      readonly main: readonly PlanLayer[];
      /** Empty: the identity shortcut. */
      readonly shortcut: readonly PlanLayer[];
      readonly inputShape: readonly number[];
      readonly outputShape: readonly number[];
    };

/** A block (unit of depth): nodes `[start, end)` of the plan. Exits sit after blocks. */
export interface PlanBlock {
  /** Its first Dense/Conv layer, or the residual block's Add layer. */
  readonly name: string;
  readonly start: number;
  readonly end: number;
  readonly kind: "layer" | "residual";
  /** Input shape equals output shape: LayerPrune may remove it. */
  readonly removable: boolean;
  /** Names of every layer inside (exits may be named by any of the block's last layer). */
  readonly lastLayer: string;
}

/** The weights manifest group: its shard files and the weights they hold, in order. */
export interface PlanShardGroup {
  readonly paths: readonly string[];
  readonly weights: readonly { readonly name: string; readonly shape: readonly number[]; readonly dtype: string }[];
  /** Bytes the weights take (float32: 4 per value). */
  readonly bytes: number;
}

/** The reader's result. */
export interface ModelPlan {
  /** Keras 2 or 3 (from the config shapes), or tfjs when written by TF.js. */
  readonly format: "keras2" | "keras3" | "tfjs";
  readonly modelClass: "Sequential" | "Functional";
  readonly inputShape: readonly number[];
  /** Classes of the final layer. */
  readonly numClasses: number;
  readonly nodes: readonly PlanNode[];
  /** Every block but the final classifier's. */
  readonly blocks: readonly PlanBlock[];
  /** True when the model ended in a softmax (the net works on logits; the export adds it back). */
  readonly finalSoftmax: boolean;
  readonly shardGroups: readonly PlanShardGroup[];
}

/** A problem with an imported model: thrown with the offending layer or file in the message. */
export class ModelImportError extends Error {
  override readonly name = "ModelImportError";
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);
const fail = (msg: string): never => {
  throw new ModelImportError(msg);
};

/** A product of dimensions. */
function volume(shape: readonly number[]): number {
  return shape.reduce((a, d) => a * d, 1);
}

/** Layer config as a dict: Keras 2 `config`, Keras 3 the same with module/registered_name around it. */
interface RawLayer {
  readonly className: string;
  readonly name: string;
  readonly config: Json;
  /** Names of the layers feeding it (functional models); undefined in a sequential model. */
  readonly inbound?: readonly string[];
}

/** The names in Keras 2 (`[[[name, 0, 0, {}], ...]]`) or Keras 3 (`[{args: [keras tensors]}]`) inbound nodes. */
function inboundNames(layer: Json, name: string): string[] {
  const nodes = layer["inbound_nodes"];
  if (!Array.isArray(nodes) || nodes.length === 0) return [];
  if (nodes.length > 1) fail(`layer "${name}" is called ${nodes.length} times (shared layers are not supported)`);
  const node: unknown = nodes[0];
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      if (typeof v[0] === "string" && typeof v[1] === "number") out.push(v[0]);
      else v.forEach(walk);
    } else if (isObj(v)) {
      const cfg = v["config"];
      if (v["class_name"] === "__keras_tensor__" && isObj(cfg) && Array.isArray(cfg["keras_history"])) {
        const h = cfg["keras_history"] as unknown[];
        if (typeof h[0] === "string") out.push(h[0]);
      } else if (Array.isArray(v["args"])) walk(v["args"]);
    }
  };
  walk(node);
  return out;
}

function rawLayers(topology: Json): { modelClass: "Sequential" | "Functional"; layers: RawLayer[]; buildShape?: unknown } {
  const cls = topology["class_name"];
  const cfg = topology["config"];
  const list = Array.isArray(cfg) ? cfg : isObj(cfg) ? cfg["layers"] : undefined;
  if (!Array.isArray(list)) return fail(`modelTopology has no layer list (class_name ${String(cls)})`);
  const layers = list.map((l: unknown, i): RawLayer => {
    if (!isObj(l) || typeof l["class_name"] !== "string" || !isObj(l["config"])) return fail(`layer ${i}: expected {class_name, config}`);
    const config = l["config"];
    const name = typeof config["name"] === "string" ? config["name"] : typeof l["name"] === "string" ? l["name"] : `layer${i}`;
    return { className: l["class_name"], name, config, inbound: cls === "Sequential" ? undefined : inboundNames(l, name) };
  });
  if (cls === "Sequential") return { modelClass: "Sequential", layers, buildShape: isObj(cfg) ? cfg["build_input_shape"] : undefined };
  if (cls === "Model" || cls === "Functional") return { modelClass: "Functional", layers };
  return fail(`modelTopology.class_name "${String(cls)}": expected Sequential, Functional or Model`);
}

/** `[null, 28, 28, 1]` → `[28, 28, 1]`. */
function exampleShape(v: unknown, where: string): number[] {
  if (!Array.isArray(v) || v.length < 2) return fail(`${where}: expected a batch shape like [null, 28, 28, 1], got ${JSON.stringify(v)}`);
  const dims = v.slice(1);
  if (!dims.every((d) => Number.isInteger(d) && (d as number) > 0)) return fail(`${where}: every dimension but the batch must be a positive integer, got ${JSON.stringify(v)}`);
  return dims as number[];
}

function declaredInputShape(l: RawLayer): number[] | undefined {
  const c = l.config;
  const bs = c["batch_input_shape"] ?? c["batch_shape"];
  if (bs !== undefined) return exampleShape(bs, `layer "${l.name}" batch shape`);
  if (Array.isArray(c["input_shape"])) return exampleShape([null, ...(c["input_shape"] as unknown[])], `layer "${l.name}" input_shape`);
  return undefined;
}

/** A square integer from `3`, `[3, 3]`. */
function square(v: unknown, what: string, layer: string): number {
  const a = Array.isArray(v) ? v : [v];
  if (a.length === 0 || !a.every((d) => Number.isInteger(d) && d === a[0])) return fail(`layer "${layer}": ${what} ${JSON.stringify(v)} is not supported (square, equal values only)`);
  return a[0] as number;
}

function activationName(v: unknown, layer: string): PlanActivation {
  const name = v === undefined || v === null ? "linear" : isObj(v) ? v["config"] ?? v["class_name"] : v;
  const s = typeof name === "string" ? name : isObj(name) && typeof name["name"] === "string" ? name["name"] : String(name);
  if ((SUPPORTED_ACTIVATIONS as readonly string[]).includes(s)) return s as PlanActivation;
  return fail(`layer "${layer}": activation "${s}" is not supported; supported: ${SUPPORTED_ACTIVATIONS.join(", ")}`);
}

function paddingOf(v: unknown, layer: string): "same" | "valid" {
  if (v === undefined || v === "valid" || v === "same") return v ?? "valid";
  return fail(`layer "${layer}": padding ${JSON.stringify(v)} is not supported (same, valid)`);
}

function channelsLast(c: Json, layer: string): void {
  const f = c["data_format"];
  if (f !== undefined && f !== null && f !== "channels_last") fail(`layer "${layer}": data_format ${JSON.stringify(f)} is not supported (channels_last)`);
}

const outSize = (size: number, k: number, s: number, pad: "same" | "valid"): number => (pad === "same" ? Math.ceil(size / s) : Math.floor((size - k) / s) + 1);

/** Weight roles of a layer, in Keras order. */
function weightRoles(cfg: PlanLayerConfig): string[] {
  switch (cfg.op) {
    case "dense":
    case "conv2d":
      return cfg.useBias ? ["kernel", "bias"] : ["kernel"];
    case "depthwise-conv2d":
      return cfg.useBias ? ["depthwise_kernel", "bias"] : ["depthwise_kernel"];
    case "batch-norm":
      return [...(cfg.scale ? ["gamma"] : []), ...(cfg.center ? ["beta"] : []), "moving_mean", "moving_variance"];
    default:
      return [];
  }
}

/** Builds one plan layer from its Keras config and its input shape. */
function planLayer(l: RawLayer, input: readonly number[]): PlanLayer {
  const c = l.config;
  const name = l.name;
  const rank = input.length;
  const needImage = (): [number, number, number] => {
    if (rank !== 3) return fail(`layer "${name}" (${l.className}) needs an [H, W, C] input, got [${input.join(", ")}]`);
    channelsLast(c, name);
    return input as [number, number, number];
  };
  let cfg: PlanLayerConfig;
  let out: number[];
  let shapes: number[][] = [];
  let macs = 0;
  switch (l.className) {
    case "Dense": {
      if (rank !== 1) return fail(`layer "${name}" (Dense) on a [${input.join(", ")}] input is not supported: add a Flatten before it`);
      const units = c["units"] as number;
      cfg = { op: "dense", units, activation: activationName(c["activation"], name), useBias: c["use_bias"] !== false };
      out = [units];
      shapes = [[input[0] ?? 0, units], [units]];
      macs = (input[0] ?? 0) * units;
      break;
    }
    case "Conv2D":
    case "DepthwiseConv2D": {
      const [h, w, cin] = needImage();
      const k = square(c["kernel_size"], "kernel_size", name);
      const s = square(c["strides"] ?? 1, "strides", name);
      if (square(c["dilation_rate"] ?? 1, "dilation_rate", name) !== 1) fail(`layer "${name}": dilation_rate ${JSON.stringify(c["dilation_rate"])} is not supported (1)`);
      if ((c["groups"] ?? 1) !== 1) fail(`layer "${name}": groups ${JSON.stringify(c["groups"])} is not supported (1)`);
      const padding = paddingOf(c["padding"], name);
      const depthwise = l.className === "DepthwiseConv2D";
      const filters = depthwise ? ((c["depth_multiplier"] as number | undefined) ?? 1) : (c["filters"] as number);
      const cout = depthwise ? cin * filters : filters;
      const ho = outSize(h, k, s, padding);
      const wo = outSize(w, k, s, padding);
      if (ho < 1 || wo < 1) fail(`layer "${name}": a ${k}x${k} kernel does not fit a ${h}x${w} input`);
      cfg = { op: depthwise ? "depthwise-conv2d" : "conv2d", filters, kernelSize: k, stride: s, padding, activation: activationName(c["activation"], name), useBias: c["use_bias"] !== false };
      out = [ho, wo, cout];
      shapes = [depthwise ? [k, k, cin, filters] : [k, k, cin, filters], [cout]];
      macs = ho * wo * k * k * (depthwise ? cin * filters : cin * filters);
      break;
    }
    case "BatchNormalization": {
      const axis = Array.isArray(c["axis"]) ? (c["axis"] as unknown[])[0] : (c["axis"] ?? -1);
      if (axis !== -1 && axis !== rank) fail(`layer "${name}": axis ${JSON.stringify(c["axis"])} is not supported (the last axis)`);
      cfg = { op: "batch-norm", epsilon: (c["epsilon"] as number | undefined) ?? 1e-3, center: c["center"] !== false, scale: c["scale"] !== false };
      out = [...input];
      const ch = input[rank - 1] ?? 0;
      shapes = weightRoles(cfg).map(() => [ch]);
      break;
    }
    case "Activation":
      cfg = { op: "activation", activation: activationName(c["activation"], name), alpha: 0 };
      out = [...input];
      break;
    case "ReLU": {
      const max = c["max_value"];
      const slope = (c["negative_slope"] as number | undefined) ?? 0;
      if ((max !== undefined && max !== null && max !== 6) || slope !== 0 || ((c["threshold"] as number | undefined) ?? 0) !== 0) {
        fail(`layer "${name}" (ReLU): only max_value none or 6, negative_slope 0 and threshold 0 are supported`);
      }
      cfg = { op: "activation", activation: max === 6 ? "relu6" : "relu", alpha: 0 };
      out = [...input];
      break;
    }
    case "LeakyReLU":
      cfg = { op: "activation", activation: "leaky_relu", alpha: (c["negative_slope"] ?? c["alpha"] ?? 0.3) as number };
      out = [...input];
      break;
    case "ELU":
      if (((c["alpha"] as number | undefined) ?? 1) !== 1) fail(`layer "${name}" (ELU): only alpha 1 is supported`);
      cfg = { op: "activation", activation: "elu", alpha: 1 };
      out = [...input];
      break;
    case "Softmax":
      cfg = { op: "activation", activation: "softmax", alpha: 0 };
      out = [...input];
      break;
    case "MaxPooling2D":
    case "AveragePooling2D": {
      const [h, w, ch] = needImage();
      const pool = square(c["pool_size"] ?? 2, "pool_size", name);
      const stride = square(c["strides"] ?? pool, "strides", name);
      const padding = paddingOf(c["padding"], name);
      cfg = { op: l.className === "MaxPooling2D" ? "max-pool" : "avg-pool", pool, stride, padding };
      out = [outSize(h, pool, stride, padding), outSize(w, pool, stride, padding), ch];
      if ((out[0] ?? 0) < 1 || (out[1] ?? 0) < 1) fail(`layer "${name}": a ${pool}x${pool} window does not fit a ${h}x${w} input`);
      break;
    }
    case "GlobalAveragePooling2D": {
      const [, , ch] = needImage();
      if (c["keepdims"] === true) fail(`layer "${name}": keepdims true is not supported`);
      cfg = { op: "global-avg-pool" };
      out = [ch];
      break;
    }
    case "Flatten":
      cfg = { op: "flatten" };
      out = [volume(input)];
      break;
    case "Reshape": {
      const target = c["target_shape"];
      if (!Array.isArray(target) || !target.every((d) => Number.isInteger(d))) return fail(`layer "${name}": target_shape ${JSON.stringify(target)} is not a list of integers`);
      const known = volume((target as number[]).filter((d) => d !== -1));
      const dims = (target as number[]).map((d) => (d === -1 ? volume(input) / known : d));
      if (volume(dims) !== volume(input) || !dims.every((d) => Number.isInteger(d) && d > 0)) {
        fail(`layer "${name}": cannot reshape [${input.join(", ")}] to ${JSON.stringify(target)}`);
      }
      cfg = { op: "reshape" };
      out = dims;
      break;
    }
    case "Dropout":
      cfg = { op: "dropout", rate: (c["rate"] as number | undefined) ?? 0 };
      out = [...input];
      break;
    default:
      return fail(`layer "${name}" of class ${l.className} is not supported; supported: ${SUPPORTED_LAYER_CLASSES.join(", ")}`);
  }
  const roles = weightRoles(cfg);
  const weights = roles.map((role, i) => ({ role, name: "", shape: shapes[i] ?? [] }));
  return { name, className: l.className, config: cfg, inputShape: [...input], outputShape: out, weights, params: weights.reduce((a, w) => a + volume(w.shape), 0), macs };
}

/** Chains consecutive layers of a functional graph into plan nodes, residual blocks included. */
function linearise(layers: readonly RawLayer[], input: readonly number[]): { nodes: PlanNode[]; last: string } {
  const byName = new Map(layers.map((l) => [l.name, l]));
  const consumers = new Map<string, RawLayer[]>();
  for (const l of layers) {
    for (const src of l.inbound ?? []) {
      if (!byName.has(src)) fail(`layer "${l.name}" takes the output of an unknown layer "${src}"`);
      consumers.set(src, [...(consumers.get(src) ?? []), l]);
    }
  }
  const inputs = layers.filter((l) => (l.inbound ?? []).length === 0);
  if (inputs.length !== 1) fail(`the model must have exactly one input, found ${inputs.length} (${inputs.map((l) => l.name).join(", ")})`);
  const shapes = new Map<string, readonly number[]>();
  const start = inputs[0] as RawLayer;
  if (start.className !== "InputLayer") fail(`layer "${start.name}" has no input; expected an InputLayer`);
  shapes.set(start.name, input);
  const single = (l: RawLayer): RawLayer | undefined => {
    const cs = consumers.get(l.name) ?? [];
    if (cs.length > 1) fail(`layer "${l.name}" feeds ${cs.length} layers (${cs.map((c) => c.name).join(", ")}) inside a branch; only one fork per residual block is supported`);
    return cs[0];
  };
  /** Follows a branch from `from` until the Add that closes it. */
  const branch = (from: RawLayer, first: RawLayer): { layers: PlanLayer[]; add: RawLayer; end: string } => {
    const out: PlanLayer[] = [];
    let prev = from.name;
    let cur: RawLayer | undefined = first;
    while (cur && cur.className !== "Add") {
      if ((cur.inbound ?? []).length !== 1) fail(`layer "${cur.name}" (${cur.className}) takes ${(cur.inbound ?? []).length} inputs inside a branch`);
      const p = planLayer(cur, shapes.get(prev) ?? []);
      shapes.set(cur.name, p.outputShape);
      out.push(p);
      prev = cur.name;
      cur = single(cur);
    }
    if (!cur) return fail(`the branch from "${from.name}" never joins an Add layer`);
    return { layers: out, add: cur, end: prev };
  };
  const nodes: PlanNode[] = [];
  let cur = start;
  for (;;) {
    const cs = consumers.get(cur.name) ?? [];
    if (cs.length === 0) break;
    const curShape = shapes.get(cur.name) ?? [];
    if (cs.length === 1) {
      const next = cs[0] as RawLayer;
      if (next.className === "Add") fail(`layer "${next.name}" (Add) joins "${(next.inbound ?? []).join('", "')}": only a fork joined by one Add (a residual block) is supported`);
      if ((next.inbound ?? []).length !== 1) fail(`layer "${next.name}" (${next.className}) takes ${(next.inbound ?? []).length} inputs`);
      const p = planLayer(next, curShape);
      shapes.set(next.name, p.outputShape);
      nodes.push({ type: "layer", layer: p });
      cur = next;
      continue;
    }
    if (cs.length > 2) fail(`layer "${cur.name}" feeds ${cs.length} layers; a residual block forks into two branches`);
    const a = cs[0] as RawLayer;
    const b = cs[1] as RawLayer;
    const ba = a.className === "Add" ? { layers: [], add: a, end: cur.name } : branch(cur, a);
    const bb = b.className === "Add" ? { layers: [], add: b, end: cur.name } : branch(cur, b);
    if (ba.add !== bb.add) fail(`the branches from "${cur.name}" end in different Add layers ("${ba.add.name}", "${bb.add.name}")`);
    const add = ba.add;
    if ((add.inbound ?? []).length !== 2) fail(`layer "${add.name}" (Add) has ${(add.inbound ?? []).length} inputs; residual blocks add two`);
    const sa = ba.layers[ba.layers.length - 1]?.outputShape ?? curShape;
    const sb = bb.layers[bb.layers.length - 1]?.outputShape ?? curShape;
    if (sa.join() !== sb.join()) fail(`layer "${add.name}" (Add) adds shapes [${sa.join(", ")}] and [${sb.join(", ")}]`);
    // The main branch is the one with more layers; the other is the shortcut (possibly the identity).
    const [main, shortcut] = ba.layers.length >= bb.layers.length ? [ba.layers, bb.layers] : [bb.layers, ba.layers];
    shapes.set(add.name, sa);
    nodes.push({ type: "residual", name: add.name, main, shortcut, inputShape: curShape, outputShape: sa });
    cur = add;
  }
  const visited = new Set([start.name, ...nodes.flatMap((n) => (n.type === "layer" ? [n.layer.name] : [n.name, ...n.main.map((l) => l.name), ...n.shortcut.map((l) => l.name)]))]);
  const stray = layers.filter((l) => !visited.has(l.name));
  if (stray.length > 0) fail(`layers not on the path from the input to the output: ${stray.map((l) => l.name).join(", ")}`);
  return { nodes, last: cur.name };
}

function sequentialNodes(layers: readonly RawLayer[], buildShape: unknown): { nodes: PlanNode[]; input: number[] } {
  const first = layers[0];
  if (!first) return fail("the model has no layers");
  const declared = declaredInputShape(first) ?? (buildShape !== undefined ? exampleShape(buildShape, "build_input_shape") : undefined);
  if (!declared) return fail(`layer "${first.name}" declares no input shape (batch_input_shape, batch_shape or an InputLayer)`);
  const nodes: PlanNode[] = [];
  let shape: readonly number[] = declared;
  for (const l of layers) {
    if (l.className === "InputLayer") continue;
    if (l.className === "Add") fail(`layer "${l.name}" (Add) in a Sequential model: residual blocks need a functional model`);
    const p = planLayer(l, shape);
    nodes.push({ type: "layer", layer: p });
    shape = p.outputShape;
  }
  return { nodes, input: declared };
}

const nodeIn = (n: PlanNode): readonly number[] => (n.type === "layer" ? n.layer.inputShape : n.inputShape);
const nodeOut = (n: PlanNode): readonly number[] => (n.type === "layer" ? n.layer.outputShape : n.outputShape);
const isProducer = (n: PlanNode): boolean => n.type === "residual" || ["dense", "conv2d", "depthwise-conv2d"].includes(n.layer.config.op);

/** Parameter-free layers that keep the shape: they stay in the block of the layer before them. */
const keepsShape = (n: PlanNode | undefined): boolean => n?.type === "layer" && ["batch-norm", "activation", "dropout"].includes(n.layer.config.op);

/**
 * Groups nodes into blocks: each Dense/Conv layer or residual block with the BatchNorm,
 * activation and dropout layers after it. Shape-changing parameter-free layers (pooling,
 * flatten, reshape) open the next block, so a block that keeps its shape is removable.
 */
function planBlocks(nodes: readonly PlanNode[]): PlanBlock[] {
  const starts = nodes.map((n, i) => (isProducer(n) ? i : -1)).filter((i) => i >= 0);
  const blocks: PlanBlock[] = [];
  let start = 0;
  // The last producer is the classifier: not a block.
  for (let j = 0; j < starts.length - 1; j++) {
    let end = (starts[j] as number) + 1;
    while (end < (starts[j + 1] as number) && keepsShape(nodes[end])) end++;
    const head = nodes[starts[j] as number] as PlanNode;
    const last = nodes[end - 1] as PlanNode;
    const first = nodes[start] as PlanNode;
    blocks.push({
      name: head.type === "layer" ? head.layer.name : head.name,
      start,
      end,
      kind: head.type === "residual" ? "residual" : "layer",
      removable: nodeIn(first).join() === nodeOut(last).join(),
      lastLayer: last.type === "layer" ? last.layer.name : last.name,
    });
    start = end;
  }
  return blocks;
}

/** Matches manifest weight names to layers: `<...>/<layer>/<role>` (Keras and TF.js both write that). */
function attachWeights(nodes: PlanNode[], groups: readonly PlanShardGroup[]): PlanNode[] {
  const manifest = new Map<string, { name: string; shape: readonly number[] }>();
  for (const g of groups) {
    for (const w of g.weights) {
      const parts = w.name.split("/");
      if (parts.length < 2) continue;
      const key = `${parts[parts.length - 2]}/${(parts[parts.length - 1] ?? "").replace(/:0$/, "")}`;
      if (!manifest.has(key)) manifest.set(key, w);
    }
  }
  const used = new Set<string>();
  const fix = (l: PlanLayer): PlanLayer => ({
    ...l,
    weights: l.weights.map((w) => {
      const m = manifest.get(`${l.name}/${w.role}`);
      if (!m) return fail(`layer "${l.name}" (${l.className}): the weights manifest has no "${l.name}/${w.role}"`);
      if (m.shape.join() !== w.shape.join()) fail(`weight "${m.name}": manifest shape [${m.shape.join(", ")}], layer "${l.name}" needs [${w.shape.join(", ")}]`);
      used.add(m.name);
      return { ...w, name: m.name };
    }),
  });
  const out = nodes.map((n): PlanNode => (n.type === "layer" ? { type: "layer", layer: fix(n.layer) } : { ...n, main: n.main.map(fix), shortcut: n.shortcut.map(fix) }));
  return out;
}

/** Bytes per value of the manifest dtypes we read. */
const DTYPE_BYTES: Readonly<Record<string, number>> = { float32: 4 };

function shardGroups(manifest: unknown): PlanShardGroup[] {
  if (!Array.isArray(manifest)) return fail("weightsManifest is missing: a TF.js Layers model.json lists its weight shards there");
  return manifest.map((g: unknown, i): PlanShardGroup => {
    if (!isObj(g) || !Array.isArray(g["paths"]) || !Array.isArray(g["weights"])) return fail(`weightsManifest[${i}]: expected {paths, weights}`);
    let bytes = 0;
    const weights = (g["weights"] as unknown[]).map((w, j) => {
      if (!isObj(w) || typeof w["name"] !== "string" || !Array.isArray(w["shape"])) return fail(`weightsManifest[${i}].weights[${j}]: expected {name, shape, dtype}`);
      const dtype = typeof w["dtype"] === "string" ? w["dtype"] : "float32";
      if (w["quantization"] !== undefined) fail(`weight "${w["name"]}": quantized weights are not supported (convert without --quantize_*)`);
      const per = DTYPE_BYTES[dtype];
      if (per === undefined) fail(`weight "${w["name"]}": dtype ${dtype} is not supported (float32)`);
      const shape = w["shape"] as number[];
      bytes += volume(shape) * (per ?? 4);
      return { name: w["name"], shape, dtype };
    });
    return { paths: g["paths"] as string[], weights, bytes };
  });
}

/**
 * Reads a parsed model.json into a {@link ModelPlan}.
 * @throws ModelImportError naming the layer, its class and what is supported
 */
export function readModelTopology(modelJson: unknown): ModelPlan {
  if (!isObj(modelJson)) return fail("model.json: expected a JSON object with modelTopology and weightsManifest");
  const topWrapper = modelJson["modelTopology"];
  if (!isObj(topWrapper)) return fail("model.json has no modelTopology: is it a TF.js Layers model (not a graph model)?");
  const topology = isObj(topWrapper["model_config"]) ? topWrapper["model_config"] : topWrapper;
  const version = String(topWrapper["keras_version"] ?? modelJson["convertedBy"] ?? "");
  const { modelClass, layers, buildShape } = rawLayers(topology);
  const keras3 = layers.some((l) => l.config["batch_shape"] !== undefined || isObj(l.config["dtype"])) || /^3\./.test(version);
  const format = keras3 ? "keras3" : /tfjs/.test(version) ? "tfjs" : "keras2";
  let nodes: PlanNode[];
  let input: readonly number[];
  if (modelClass === "Sequential") {
    ({ nodes, input } = sequentialNodes(layers, buildShape));
  } else {
    const inputLayer = layers.find((l) => l.className === "InputLayer");
    const declared = inputLayer ? declaredInputShape(inputLayer) : undefined;
    if (!declared) return fail("the functional model has no InputLayer with a shape");
    input = declared;
    nodes = linearise(layers, declared).nodes;
  }
  // The net works on logits: a final softmax is dropped here and added back on export.
  let finalSoftmax = false;
  const last = nodes[nodes.length - 1];
  if (last?.type === "layer" && last.layer.config.op === "activation" && last.layer.config.activation === "softmax") {
    nodes = nodes.slice(0, -1);
    finalSoftmax = true;
  } else if (last?.type === "layer" && (last.layer.config.op === "dense" || last.layer.config.op === "conv2d") && last.layer.config.activation === "softmax") {
    nodes = [...nodes.slice(0, -1), { type: "layer", layer: { ...last.layer, config: { ...last.layer.config, activation: "linear" } } }];
    finalSoftmax = true;
  }
  for (const n of nodes) {
    const ls = n.type === "layer" ? [n.layer] : [...n.main, ...n.shortcut];
    for (const l of ls) {
      if ("activation" in l.config && l.config.activation === "softmax") fail(`layer "${l.name}" (${l.className}): softmax is supported only as the model's last operation`);
    }
  }
  const final = nodes[nodes.length - 1];
  if (!final || final.type !== "layer" || final.layer.config.op !== "dense") {
    return fail(`the model must end in a Dense classifier (optionally with softmax); it ends in ${final?.type === "layer" ? `"${final.layer.name}" (${final.layer.className})` : "a residual block"}`);
  }
  const groups = shardGroups(modelJson["weightsManifest"]);
  nodes = attachWeights(nodes, groups);
  return {
    format,
    modelClass,
    inputShape: input,
    numClasses: final.layer.outputShape[0] ?? 0,
    nodes,
    blocks: planBlocks(nodes),
    finalSoftmax,
    shardGroups: groups,
  };
}

/** Every layer of the plan in execution order (residual main branch, then shortcut). */
export function planLayers(plan: ModelPlan): readonly PlanLayer[] {
  return plan.nodes.flatMap((n) => (n.type === "layer" ? [n.layer] : [...n.main, ...n.shortcut]));
}

/** A filter group: a Conv (or Dense) and the BatchNorm right after it; filter pruning and gates act on it. */
export interface PlanFilterGroup {
  readonly layer: string;
  readonly batchNorm?: string;
  readonly units: number;
  readonly kind: "filter" | "neuron";
}

/**
 * The Dense/Conv layers whose output units can be removed: followed (after BatchNorm,
 * activations, pooling, dropout, flatten, depthwise convs with multiplier 1) by a Dense or
 * Conv that absorbs the reduction. The
 * classifier and layers feeding an Add directly are not (the sum ties their width).
 */
export function planFilterGroups(plan: ModelPlan): readonly PlanFilterGroup[] {
  const out: PlanFilterGroup[] = [];
  const PASS = new Set(["batch-norm", "activation", "max-pool", "avg-pool", "global-avg-pool", "flatten", "dropout"]);
  const scan = (seq: readonly PlanLayer[], tailAbsorbs: boolean): void => {
    seq.forEach((l, i) => {
      if (l.config.op !== "dense" && l.config.op !== "conv2d") return;
      let absorbed = false;
      let j = i + 1;
      for (; j < seq.length; j++) {
        const cfg = (seq[j] as PlanLayer).config;
        const op = cfg.op;
        if (op === "depthwise-conv2d" && cfg.filters === 1) continue;
        if (op === "dense" || op === "conv2d") {
          absorbed = true;
          break;
        }
        if (!PASS.has(op)) break;
      }
      if (j === seq.length) absorbed = tailAbsorbs;
      if (!absorbed) return;
      const next = seq[i + 1];
      out.push({ layer: l.name, batchNorm: next?.config.op === "batch-norm" ? next.name : undefined, units: l.outputShape[l.outputShape.length - 1] ?? 0, kind: l.config.op === "dense" ? "neuron" : "filter" });
    });
  };
  // Top-level layers in runs between residual blocks; inside a block, the main branch (its end feeds the Add).
  let run: PlanLayer[] = [];
  for (const n of plan.nodes) {
    if (n.type === "layer") run.push(n.layer);
    else {
      scan(run, false);
      run = [];
      scan(n.main, false);
    }
  }
  scan(run, false);
  return out;
}

/** Every Dense and Conv kernel: what unstructured methods prune. */
export function planKernels(plan: ModelPlan): readonly PlanWeight[] {
  return planLayers(plan).flatMap((l) => l.weights.filter((w) => w.role === "kernel" || w.role === "depthwise_kernel"));
}

/**
 * Resolves a `task.exits` entry given as a layer name: the position after the block whose
 * last layer (or whose name: its first Dense/Conv, a residual block's Add) is `name`. Exits
 * sit after any block but the last (the classifier follows it).
 * @returns the position (blocks before the exit), or an error message listing the candidates
 */
export function exitPositionOf(plan: ModelPlan, name: string): number | string {
  const candidates = plan.blocks.slice(0, -1);
  const i = candidates.findIndex((b) => b.lastLayer === name || b.name === name);
  if (i >= 0) return i + 1;
  return `no exit can follow layer "${name}"; candidate exit layers: ${candidates.map((b) => b.lastLayer).join(", ") || "none"}`;
}
