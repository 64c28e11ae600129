/**
 * Reading an imported model from disk: model.json and a check of its weight shards (present,
 * and exactly as long as the manifest says). The weight values are not read here.
 */
import { readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { ModelImportError, readModelTopology, type ModelPlan } from "./tfjs-topology.js";

/** A model.json with its plan and the files it consists of. */
export interface ImportedModelFiles {
  readonly modelJsonPath: string;
  readonly plan: ModelPlan;
  /** model.json first, then every shard, as paths relative to model.json's folder. */
  readonly files: readonly string[];
}

/**
 * Reads `modelJsonPath` and checks its shards.
 * @throws ModelImportError whose message starts with the offending file
 */
export function loadModelFiles(modelJsonPath: string): ImportedModelFiles {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(modelJsonPath, "utf8"));
  } catch (err) {
    throw new ModelImportError(`${modelJsonPath}: ${err instanceof SyntaxError ? `not valid JSON: ${err.message}` : (err as Error).message}`);
  }
  let plan: ModelPlan;
  try {
    plan = readModelTopology(json);
  } catch (err) {
    if (err instanceof ModelImportError) throw new ModelImportError(`${modelJsonPath}: ${err.message}`);
    throw err;
  }
  const dir = dirname(modelJsonPath);
  const files: string[] = [];
  for (const g of plan.shardGroups) {
    let found = 0;
    for (const p of g.paths) {
      const file = join(dir, p);
      let size: number;
      try {
        size = statSync(file).size;
      } catch {
        throw new ModelImportError(`${file}: weights shard missing (listed in ${modelJsonPath})`);
      }
      found += size;
      files.push(p);
    }
    if (found !== g.bytes) {
      throw new ModelImportError(`${join(dir, g.paths[g.paths.length - 1] ?? "")}: weights shards hold ${found} bytes, the manifest needs ${g.bytes} (${g.weights.length} weights): ${found < g.bytes ? "short" : "too long"}`);
    }
  }
  return { modelJsonPath, plan, files };
}
