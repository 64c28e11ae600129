import { existsSync, readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

/**
 * The recorded search space of the search-efficiency table (bench/data/record-search-table.mjs)
 * and its replay (bench/samplers/search-efficiency.mjs): the task, the grid of configurations
 * each method is recorded at, and each method's fidelity parameter (the steps a trial runs).
 */

/** LeNet-5 on 500 training digits of the built-in MNIST set (500 validation, 2,000 test), dense pretraining 3 epochs. */
export const SEARCH_TASK = {
  dataset: { kind: "builtin", name: "mnist" },
  split: { train: 0.75, validation: 0.05, test: 0.2 },
  model: "lenet5",
  modelOptions: {},
  exits: { positions: [], every: 0 },
  pretrain: { epochs: 3, optimizer: "adam", learningRate: 0.002, batchSize: 64 },
  backend: "auto",
  seed: 1,
  maxTrainExamples: 500,
};

/** Steps every configuration is recorded to (fine-tune epochs or pruning rounds of one epoch). */
export const MAX_STEPS = 4;

/** Per method: the parameter that sets how many progress steps a trial runs (each one epoch). */
export const FIDELITY = {
  magnitude: "finetune.epochs",
  "lottery-ticket": "lottery-ticket.rounds",
  "one-shot": "one-shot.rounds",
  sap: "sap.rounds",
  layerprune: "finetune.epochs",
};

const range = (min, max, step) => Array.from({ length: Math.round((max - min) / step) + 1 }, (_, i) => Math.round((min + i * step) * 1e6) / 1e6);

/** Searched values of each method's parameters (besides the fidelity), in the order the grid nests them. */
export const GRID = {
  magnitude: {
    "magnitude.sparsity": range(0.5, 0.98, 0.02),
    "magnitude.scope": ["global", "layer"],
    "finetune.learningRate": [0.001, 0.002, 0.004],
  },
  "lottery-ticket": {
    "lottery-ticket.rate": range(0.1, 0.6, 0.05),
    "lottery-ticket.scope": ["global", "layer", "neuron"],
    "lottery-ticket.weightDecay": [0, 0.0005],
    "finetune.learningRate": [0.001, 0.002, 0.004],
  },
  "one-shot": {
    "one-shot.rate": range(0.1, 0.6, 0.05),
    "one-shot.scope": ["global", "layer", "neuron"],
    "one-shot.weightDecay": [0, 0.0005],
    "finetune.learningRate": [0.001, 0.002, 0.004],
  },
  sap: {
    "sap.p": [0.25, 0.5, 0.75, 1],
    "sap.q": [1, 1.5, 2, 3],
    "sap.gamma": [0.5, 1, 2],
    "sap.etaR": [0, 0.2],
    "finetune.learningRate": [0.001, 0.002, 0.004],
  },
  layerprune: {
    "layerprune.filterFraction": range(0.1, 0.8, 0.1),
    "layerprune.criterion": ["weight_l2", "weight_l1", "taylor_weight", "random"],
    "layerprune.filterScope": ["layer", "global"],
    "finetune.learningRate": [0.001, 0.002, 0.004],
  },
};

/** Fixed parameters of each method's recorded trials. */
const FIXED = {
  magnitude: { "magnitude.mode": "one-shot" },
  "lottery-ticket": { "lottery-ticket.roundEpochs": 1 },
  "one-shot": { "one-shot.roundEpochs": 1 },
  sap: { "sap.roundEpochs": 1 },
  // No learning-rate drop in the second half: a shorter fine-tune must be a prefix of a longer one.
  layerprune: { "layerprune.unit": "filter", "layerprune.removal": "k", "layerprune.lrDrop": false },
};

function product(axes) {
  let out = [{}];
  for (const [name, values] of Object.entries(axes)) out = out.flatMap((o) => values.map((v) => ({ ...o, [name]: v })));
  return out;
}

/** Deterministic shuffle (mulberry32), so that a partial recording covers the whole grid evenly. */
function shuffled(xs, seed) {
  let a = seed >>> 0;
  const rnd = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** A configuration's id: its method and searched values (not the fidelity). */
export const configId = (method, values) => `${method}|${Object.keys(GRID[method]).map((k) => values[k]).join("|")}`;

/** Every configuration of the grid, shuffled, as `{id, params}` with the fidelity at MAX_STEPS. */
export function searchGrid() {
  const all = [];
  for (const [method, axes] of Object.entries(GRID)) {
    for (const values of product(axes)) {
      if (method === "sap" && !(values["sap.p"] < values["sap.q"])) continue;
      all.push({ id: configId(method, values), params: { method, ...FIXED[method], ...values, [FIDELITY[method]]: MAX_STEPS } });
    }
  }
  return shuffled(all, 20261203);
}

/** What the table holds, in one sentence (the replay's report quotes it). */
export const TABLE_DESCRIPTION =
  "LeNet-5 on 500 training digits of the built-in MNIST set (500 validation, 2,000 test; dense pretraining 3 epochs Adam 0.002, seed 1); " +
  "magnitude (one-shot), lottery-ticket, one-shot (OS), SAP and LayerPrune filter pruning over a grid of their parameters and the fine-tuning learning rate, " +
  "each trained to 4 fine-tune epochs or 4 pruning rounds of one epoch, with validation accuracy per epoch";

const DIR = fileURLToPath(new URL(".", import.meta.url));
/** The committed table: one JSON line per recorded configuration, gzipped. */
export const TABLE_FILE = `${DIR}search-table.jsonl.gz`;
/** The shards a running recorder appends to (not committed; packed into TABLE_FILE). */
export const shardFiles = () => readdirSync(DIR).filter((f) => /^search-table\..*\.jsonl$/.test(f)).map((f) => `${DIR}${f}`);

const parseLines = (text) => {
  const out = [];
  for (const line of text.split("\n")) {
    try {
      if (line.trim()) out.push(JSON.parse(line));
    } catch {
      // a line a recorder is appending right now
    }
  }
  return out;
};

/** Every recorded line: the committed table, then the shards, first occurrence of an id kept. */
export function readRecordedLines() {
  const all = [...(existsSync(TABLE_FILE) ? parseLines(gunzipSync(readFileSync(TABLE_FILE)).toString("utf8")) : []), ...shardFiles().flatMap((f) => parseLines(readFileSync(f, "utf8")))];
  const seen = new Set();
  return all.filter((l) => !seen.has(l.id) && seen.add(l.id));
}
