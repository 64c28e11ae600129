/**
 * Trial checkpoints as {@link SerializedWeights}, so that they travel (trial thread) and are
 * stored (object store, `weights-codec.ts`) like pretrained weights. Tensors are prefixed by
 * kind (`w:` net weights, `m:` masks, `o:` optimizer state, in `tf.Optimizer.getWeights`
 * order); everything else is JSON in `meta.checkpoint` (`meta.index` for the index).
 */
import { WeightsMismatchError } from "../errors.js";
import type { RngState } from "../data/rng.js";
import type { SerializedTensor, SerializedWeights } from "../models/serialized-weights.js";
import type { OptimizerState } from "../training/optimizer-state.js";

/** Format version written into every checkpoint; others are ignored on read. */
const VERSION = 1;

/**
 * The state of a trial at one epoch boundary of one fine-tuning call (the method's n-th call
 * of `PruningContext.fineTune`: a prune round, a phase, the final fine-tuning).
 */
export interface TrialCheckpoint {
  /** 0-based index of the fine-tuning call. */
  readonly call: number;
  /** The call's phase label (`finetune`, `prune`, `prune-backbone`, `gates`, ...). */
  readonly phase: string;
  /** Epochs of this call done. */
  readonly epoch: number;
  /** Epochs the call was asked for. */
  readonly epochs: number;
  /** The call has returned: its end state, with no optimizer state (each call starts a fresh one). */
  readonly complete: boolean;
  /** Progress steps reported so far. */
  readonly step: number;
  /** Epochs trained by the trial so far, over every call (and every attempt). */
  readonly epochsTrained: number;
  /** Optimizer steps of this call so far. */
  readonly batches: number;
  /** The fine-tuning shuffle generator after this epoch. */
  readonly shuffleRng: RngState;
  /** The method's generator when the call started (a replay check). */
  readonly methodRng: RngState;
  /** Names and shapes of the net's parameters when the call started (a replay check). */
  readonly structure: string;
  /** Training loss and validation accuracy of the last epoch (NaN: none yet). */
  readonly lastLoss: number;
  readonly lastValAccuracy: number;
  /** The trial budget ended the call (complete records only). */
  readonly budgetExhausted: boolean;
  /** Every parameter of the net. */
  readonly weights: readonly SerializedTensor[];
  /** Masks that change while training (variables, e.g. gate masks), by name. */
  readonly masks: readonly SerializedTensor[];
  readonly optimizer: OptimizerState;
}

/** The small object naming a trial's latest checkpoint. */
export interface CheckpointIndex {
  /** Hash of what the trial runs (params and task): a checkpoint of something else is ignored. */
  readonly fingerprint: string;
  /** The call of the latest checkpoint. */
  readonly latestCall: number;
  /**
   * Progress steps the coordinator has answered up to the latest checkpoint (a checkpoint
   * taken at the end of a reported epoch precedes that epoch's report).
   */
  readonly reportedStep: number;
  readonly epochsTrained: number;
}

type Header = Omit<TrialCheckpoint, "weights" | "masks" | "optimizer">;

const PREFIX = { weights: "w:", masks: "m:", optimizer: "o:" } as const;

function bad(why: string): never {
  throw new WeightsMismatchError(`corrupt checkpoint: ${why}`);
}

/** The JSON header `meta[key]` of this version. */
function header(w: SerializedWeights, key: "checkpoint" | "index"): Record<string, unknown> {
  const raw = w.meta?.[key];
  if (typeof raw !== "string") return bad(`no ${key} header`);
  let h: Record<string, unknown>;
  try {
    h = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return bad(`${key} header is not JSON`);
  }
  if (h["v"] !== VERSION) return bad(`${key} version ${String(h["v"])}, expected ${VERSION}`);
  return h;
}

/** `h[key]`, an integer >= 0. */
function countOf(h: Record<string, unknown>, key: string, what: string): number {
  const n = h[key];
  return typeof n === "number" && Number.isInteger(n) && n >= 0 ? n : bad(`${what} is not a count`);
}

/** JSON without NaN: non-finite numbers travel as strings. */
function finite(n: number): number | string {
  return Number.isFinite(n) ? n : String(n);
}

function numberOf(v: unknown, what: string): number {
  const n = typeof v === "string" ? Number(v) : v;
  if (typeof n !== "number" || (typeof v === "number" && !Number.isFinite(v))) return bad(`${what} is not a number`);
  return n;
}

function rngOf(v: unknown, what: string): RngState {
  const r = v as Partial<RngState> | undefined;
  if (!r || !Array.isArray(r.s) || r.s.length !== 4 || !r.s.every((x) => Number.isInteger(x))) return bad(`${what} is not a generator state`);
  return { s: [r.s[0], r.s[1], r.s[2], r.s[3]] as [number, number, number, number], ...(typeof r.spareNormal === "number" && { spareNormal: r.spareNormal }) };
}

/** Encodes a checkpoint as weights (see the module comment). */
export function checkpointToWeights(c: TrialCheckpoint): SerializedWeights {
  const { weights, masks, optimizer, ...fields } = c;
  const json = { v: VERSION, ...fields, lastLoss: finite(fields.lastLoss), lastValAccuracy: finite(fields.lastValAccuracy) };
  const tag = (prefix: string, ts: readonly SerializedTensor[]): SerializedTensor[] => ts.map((t) => ({ ...t, name: prefix + t.name }));
  return { tensors: [...tag(PREFIX.weights, weights), ...tag(PREFIX.masks, masks), ...tag(PREFIX.optimizer, optimizer)], meta: { checkpoint: JSON.stringify(json) } };
}

/**
 * Decodes {@link checkpointToWeights}.
 * @throws WeightsMismatchError when `w` is not a checkpoint of this version
 */
export function checkpointFromWeights(w: SerializedWeights): TrialCheckpoint {
  const h = header(w, "checkpoint");
  const int = (k: keyof Header): number => countOf(h, k, k);
  const fields: Header = {
    call: int("call"),
    phase: typeof h["phase"] === "string" ? h["phase"] : bad("phase is not a string"),
    epoch: int("epoch"),
    epochs: int("epochs"),
    complete: h["complete"] === true,
    step: int("step"),
    epochsTrained: int("epochsTrained"),
    batches: int("batches"),
    shuffleRng: rngOf(h["shuffleRng"], "shuffleRng"),
    methodRng: rngOf(h["methodRng"], "methodRng"),
    structure: typeof h["structure"] === "string" ? h["structure"] : bad("structure is not a string"),
    lastLoss: numberOf(h["lastLoss"], "lastLoss"),
    lastValAccuracy: numberOf(h["lastValAccuracy"], "lastValAccuracy"),
    budgetExhausted: h["budgetExhausted"] === true,
  };
  const pick = (prefix: string): SerializedTensor[] => w.tensors.filter((t) => t.name.startsWith(prefix)).map((t) => ({ ...t, name: t.name.slice(prefix.length) }));
  return { ...fields, weights: pick(PREFIX.weights), masks: pick(PREFIX.masks), optimizer: pick(PREFIX.optimizer) };
}

/** Encodes an index (no tensors). */
export function indexToWeights(i: CheckpointIndex): SerializedWeights {
  return { tensors: [], meta: { index: JSON.stringify({ v: VERSION, ...i }) } };
}

/**
 * Decodes {@link indexToWeights}.
 * @throws WeightsMismatchError when `w` is not an index of this version
 */
export function indexFromWeights(w: SerializedWeights): CheckpointIndex {
  const h = header(w, "index");
  const int = (k: keyof CheckpointIndex): number => countOf(h, k, `index ${k}`);
  if (typeof h["fingerprint"] !== "string") return bad("index fingerprint is not a string");
  return { fingerprint: h["fingerprint"], latestCall: int("latestCall"), reportedStep: int("reportedStep"), epochsTrained: int("epochsTrained") };
}
