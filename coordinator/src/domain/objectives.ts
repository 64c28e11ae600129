/** Direction of an objective. */
export type Direction = "maximize" | "minimize";

export interface ObjectiveSpec {
  readonly metric: string;
  readonly direction: Direction;
}

/**
 * Converts metrics to a loss vector that is minimised in every coordinate: maximised
 * objectives are negated, a missing or non-finite value becomes +Infinity.
 */
export function toLossVector(
  metrics: Readonly<Record<string, number>>,
  objectives: readonly ObjectiveSpec[],
): number[] {
  return objectives.map((o) => {
    const v = metrics[o.metric];
    if (v === undefined || !Number.isFinite(v)) return Number.POSITIVE_INFINITY;
    return o.direction === "maximize" ? -v : v;
  });
}
