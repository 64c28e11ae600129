/**
 * Validation of a trial's parameters against the rules of the common parameters and of the
 * chosen method. Every failure is an InvalidParameterError (or UnknownPruningMethodError)
 * naming the parameter, so the trial fails fast and is not retried.
 */
import { COMMON_PARAMS, DEFAULT_METHOD, findMethod, isMethodName, relationViolation, withDefaults, type ParamRule, type PlainParam } from "@prunesweep/proto";
import { InvalidParameterError } from "../errors.js";
import { checkParam } from "./param-rules.js";
import type { FineTuneRecipe, PruningMethod } from "./pruning-method.js";
import { getPruningMethod } from "./registry.js";

const COMMON_RULES: Readonly<Record<string, ParamRule>> = COMMON_PARAMS;

/** Common settings every method understands. */
interface CommonTrialParams {
  readonly method: string;
  /** `sparsity` as given (no default here: methods decide). */
  readonly sparsity?: number;
  readonly finetuneEpochs: number;
  readonly finetuneLearningRate: number;
  /** Undefined: use the task's pretrain batch size. */
  readonly finetuneBatchSize?: number;
  readonly recipe: FineTuneRecipe;
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
 * Validates a trial's parameters against the catalogue: `method` (default `DEFAULT_METHOD`),
 * the common parameters, and `<method>.<name>` parameters of the chosen method, then the
 * method's relations (`sap.p < sap.q`). Parameters namespaced to another catalogued method are
 * ignored (conditional search spaces); any other name is an error.
 * @throws UnknownPruningMethodError; InvalidParameterError naming the parameter
 */
export function resolveTrialParams(raw: Readonly<Record<string, PlainParam>>): ResolvedTrialParams {
  const methodValue = raw["method"] ?? DEFAULT_METHOD;
  if (typeof methodValue !== "string") throw new InvalidParameterError("method", `must be a string, got ${JSON.stringify(methodValue)}`);
  const method = getPruningMethod(methodValue);
  const entry = findMethod(method.name);
  const rules: Readonly<Record<string, ParamRule>> = entry?.params ?? {};
  const own: Record<string, PlainParam> = {};
  const common: Record<string, PlainParam> = {};
  const ignored: string[] = [];
  for (const [name, value] of Object.entries(raw)) {
    if (name === "method") continue;
    const commonRule = COMMON_RULES[name];
    if (commonRule) {
      common[name] = checkParam(name, value, commonRule);
      continue;
    }
    const dot = name.indexOf(".");
    const ns = dot > 0 ? name.slice(0, dot) : "";
    const key = name.slice(dot + 1);
    if (ns === method.name) {
      const rule = rules[key];
      if (!rule) {
        throw new InvalidParameterError(name, `unknown parameter of method "${method.name}"; known: ${Object.keys(rules).map((k) => `${method.name}.${k}`).join(", ")}`);
      }
      own[key] = checkParam(name, value, rule);
    } else if (ns && isMethodName(ns)) {
      ignored.push(name);
    } else {
      throw new InvalidParameterError(name, "unknown parameter");
    }
  }
  const broken = entry && relationViolation(entry, withDefaults(rules, own), own);
  if (broken) throw new InvalidParameterError(broken.param, broken.message);
  const c = withDefaults(COMMON_PARAMS, common);
  const commonParams: CommonTrialParams = {
    method: method.name,
    sparsity: c.sparsity,
    finetuneEpochs: c["finetune.epochs"],
    finetuneLearningRate: c["finetune.learningRate"],
    // No catalogue default: unset means the task's pretrain batch size.
    finetuneBatchSize: c["finetune.batchSize"],
    recipe: {
      optimizer: c["finetune.optimizer"],
      momentum: c["finetune.momentum"],
      schedule: c["finetune.schedule"],
      warmupEpochs: c["finetune.warmupEpochs"],
      stepEpochs: c["finetune.stepEpochs"],
      stepGamma: c["finetune.stepGamma"],
      weightDecay: c["finetune.weightDecay"],
      labelSmoothing: c["finetune.labelSmoothing"],
      augment: c["finetune.augment"],
      cropPadding: c["finetune.cropPadding"],
    },
  };
  const methodParams = method.parseParams({ own, common });
  return { method, methodParams, common: commonParams, ignored };
}
