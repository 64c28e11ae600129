/**
 * Exhaustive grid search over the active conditional combinations of a search space.
 */
import { z } from "zod";
import { InvalidSearchSpaceError } from "../errors.js";
import { conditionsHold, sampleOrder } from "../search-space/conditions.js";
import type { Scalar } from "../search-space/distribution.js";
import { gridValues } from "../search-space/encoding.js";
import { satisfiesConstraints } from "../search-space/param-constraints.js";
import type { SearchSpace } from "../search-space/parse-space.js";
import type { Params } from "../domain/trial.js";
import { Rng } from "../domain/rng.js";
import { samplerEntry, type SamplerView, type Sampler, type Suggestion } from "./sampler.js";

/** Values a grid tries for a float parameter without `step` (`sampler.gridPoints`). */
const DEFAULT_GRID_POINTS = 5;
/** Largest grid accepted before constraints are applied (`sampler.maxGridSize`). */
const DEFAULT_MAX_GRID_SIZE = 100_000;

/** Options of {@link GridSampler}. */
export interface GridSamplerOptions {
  /** Values tried for a float parameter without `step`. @default DEFAULT_GRID_POINTS */
  readonly gridPoints?: number;
  /** Visit the grid in a seeded random order instead of lexicographic. @default false */
  readonly shuffle?: boolean;
  /** Seed of the shuffle. @default 0 */
  readonly seed?: number;
  /** Largest grid (before constraints) accepted. @default DEFAULT_MAX_GRID_SIZE */
  readonly maxGridSize?: number;
}

/** Canonical key of a parameter set (sorted names), to recognise points already tried. */
export function paramsKey(params: Params): string {
  return JSON.stringify(Object.keys(params).sort().map((k) => [k, params[k]]));
}

/**
 * Every combination of grid values of the active parameters, in dependency order, with the
 * first parameter varying slowest. An inactive parameter contributes no value, so each
 * conditional branch is enumerated over its own parameters only.
 *
 * @throws InvalidSearchSpaceError when the grid has more than `maxGridSize` points.
 */
export function enumerateGrid(space: SearchSpace, gridPoints: number, maxGridSize: number): Record<string, Scalar>[] {
  const order = sampleOrder(space.space);
  const points: Record<string, Scalar>[] = [];
  let visited = 0;
  const current: Record<string, Scalar> = {};
  const walk = (i: number): void => {
    const p = order[i];
    if (!p) {
      if (++visited > maxGridSize) {
        throw new InvalidSearchSpaceError(
          `the grid has more than ${maxGridSize} points; add a step, use fewer gridPoints or values, or raise maxGridSize`,
        );
      }
      if (satisfiesConstraints(current, space.paramConstraints)) points.push({ ...current });
      return;
    }
    if (!conditionsHold(p, current, (n) => current[n] !== undefined)) return walk(i + 1);
    for (const v of gridValues(p.distribution, gridPoints)) {
      current[p.name] = v;
      walk(i + 1);
    }
    delete current[p.name];
  };
  walk(0);
  return points;
}

/**
 * Suggests each grid point once, then answers `{kind: "exhausted"}`. Points that violate the
 * parameter constraints are skipped. Points already used by a trial in the view (in any
 * state) or suggested before are not suggested again, so a fresh sampler rebuilt after a
 * restart continues where the campaign left off.
 */
export class GridSampler implements Sampler {
  readonly name = "grid";
  readonly derivesFromView = true;
  /** The grid in visiting order. */
  readonly points: readonly Readonly<Record<string, Scalar>>[];
  private readonly issued = new Set<string>();

  /** @throws InvalidSearchSpaceError when the grid is too large or the conditions form a cycle. */
  constructor(space: SearchSpace, options: GridSamplerOptions = {}) {
    const points = enumerateGrid(space, options.gridPoints ?? DEFAULT_GRID_POINTS, options.maxGridSize ?? DEFAULT_MAX_GRID_SIZE);
    if (options.shuffle) {
      const rng = new Rng(options.seed ?? 0);
      for (let i = points.length - 1; i > 0; i--) {
        const j = rng.int(0, i);
        [points[i], points[j]] = [points[j] as Record<string, Scalar>, points[i] as Record<string, Scalar>];
      }
    }
    this.points = points;
  }

  /** The next grid point not yet used (the order is fixed at construction; `rng` is unused). */
  ask(view: SamplerView, _rng?: Rng): Suggestion {
    const used = new Set(view.trials.map((t) => paramsKey(t.params)));
    for (const p of this.points) {
      const key = paramsKey(p);
      if (!used.has(key) && !this.issued.has(key)) {
        this.issued.add(key);
        return { kind: "params", params: p };
      }
    }
    return { kind: "exhausted" };
  }
}

/** The `grid` sampler's registry entry. */
export const gridSamplerEntry = samplerEntry({
  name: "grid",
  summary: 'exhaustive over the (conditional) grid, then "exhausted"',
  options: z.strictObject({
    name: z.literal("grid"),
    gridPoints: z.number().int().min(2).default(DEFAULT_GRID_POINTS).describe("values tried for a float parameter without `step`"),
    shuffle: z.boolean().default(false).describe("visit the grid in a seeded random order instead of lexicographic"),
    maxGridSize: z.number().int().min(1).default(DEFAULT_MAX_GRID_SIZE).describe("largest grid (before constraints) accepted"),
  }),
  create: (o, space, seed) => new GridSampler(space, { ...o, seed }),
});
