import type { ExitSpec } from "./exits.js";
import type { ImportedModel } from "./imported.js";

/** Arguments every model builder receives. */
export interface ModelBuildArgs {
  /** The task's `modelOptions`, validated by the builder. */
  readonly options: Readonly<Record<string, unknown>>;
  /** Shape of one input example, e.g. `[28, 28, 1]`. */
  readonly inputShape: readonly number[];
  readonly numClasses: number;
  /** Weight-init seed. */
  readonly seed: number;
  /** `task.exits`; undefined: no early exits. */
  readonly exits?: ExitSpec;
  /** The imported model (`tfjs`), read by the caller. */
  readonly imported?: ImportedModel;
}
