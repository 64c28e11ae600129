/**
 * Validation of a trial's parameters against the rules of the common parameters and of the
 * chosen method. Every failure is an InvalidParameterError (or UnknownPruningMethodError)
 * naming the parameter, so the trial fails fast and is not retried.
 */
import { COMMON_PARAMS, METHOD_NAMES, type PlainParam } from "@prunesweep/proto";
import { InvalidParameterError } from "../errors.js";
import { checkParam } from "./param-rules.js";
import type { PruningMethod } from "./pruning-method.js";
import { getPruningMethod, PRUNING_METHOD_NAMES } from "./registry.js";

/** Default method when the trial has no `method` parameter. */
const DEFAULT_METHOD = "magnitude";

/** Common settings every method understands. */
interface CommonTrialParams {
  readonly method: string;
  /** `sparsity` as given (no default here: methods decide). */
  readonly sparsity?: number;
  readonly finetuneEpochs: number;
  readonly finetuneLearningRate: number;
  /** Undefined: use the task's pretrain batch size. */
  readonly finetuneBatchSize?: number;
}

/** The outcome of {@link resolveTrialParams}. */
export interface ResolvedTrialParams {
  readonly method: PruningMethod;
  readonly methodParams: unknown;
  readonly common: CommonTrialParams;
  /** Parameters addressed to other methods, ignored by this trial. */
  readonly ignored: readonly string[];
}

/**
 * Validates a trial's parameters: `method` (default {@link DEFAULT_METHOD}), the common
 * parameters, and `<method>.<name>` parameters of the chosen method. Parameters namespaced to
 * another known method (registered here or catalogued in proto) are ignored (conditional search spaces); any other name is an error.
 * @throws UnknownPruningMethodError; InvalidParameterError naming the parameter
 */
export function resolveTrialParams(raw: Readonly<Record<string, PlainParam>>): ResolvedTrialParams {
  const methodValue = raw["method"] ?? DEFAULT_METHOD;
  if (typeof methodValue !== "string") throw new InvalidParameterError("method", `must be a string, got ${JSON.stringify(methodValue)}`);
  const method = getPruningMethod(methodValue);
  const own: Record<string, PlainParam> = {};
  const common: Record<string, PlainParam> = {};
  const ignored: string[] = [];
  for (const [name, value] of Object.entries(raw)) {
    if (name === "method") continue;
    const commonRule = COMMON_PARAMS[name];
    if (commonRule) {
      common[name] = checkParam(name, value, commonRule);
      continue;
    }
    const dot = name.indexOf(".");
    const ns = dot > 0 ? name.slice(0, dot) : "";
    const key = name.slice(dot + 1);
    if (ns === method.name) {
      const rule = method.paramRules[key];
      if (!rule) {
        throw new InvalidParameterError(name, `unknown parameter of method "${method.name}"; known: ${Object.keys(method.paramRules).map((k) => `${method.name}.${k}`).join(", ")}`);
      }
      own[key] = checkParam(name, value, rule);
    } else if (ns && (PRUNING_METHOD_NAMES.includes(ns) || METHOD_NAMES.includes(ns))) {
      ignored.push(name);
    } else {
      throw new InvalidParameterError(name, "unknown parameter");
    }
  }
  const num = (k: string): number | undefined => {
    const v = common[k] ?? COMMON_PARAMS[k]?.default;
    return typeof v === "number" ? v : undefined;
  };
  const commonParams: CommonTrialParams = {
    method: method.name,
    sparsity: typeof common["sparsity"] === "number" ? common["sparsity"] : undefined,
    finetuneEpochs: num("finetune.epochs") ?? 2,
    finetuneLearningRate: num("finetune.learningRate") ?? 1e-3,
    // The catalogue's default (64) is not used: the brief's default is the pretrain batch size.
    finetuneBatchSize: typeof common["finetune.batchSize"] === "number" ? common["finetune.batchSize"] : undefined,
  };
  const methodParams = method.parseParams({ own, common });
  return { method, methodParams, common: commonParams, ignored };
}
