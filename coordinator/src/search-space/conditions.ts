/**
 * Conditional parameters: a parameter is active when every `when` condition holds, and a
 * condition on an inactive parameter never holds. Conditions are evaluated in dependency
 * (topological) order.
 */
import { InvalidSearchSpaceError } from "../errors.js";
import type { ParamSpec } from "../domain/campaign-spec.js";
import type { Scalar } from "./distribution.js";

/** A partial or full assignment of parameter values. */
export type ParamAssignment = Readonly<Record<string, Scalar>>;

/** The first dependency cycle among `when` conditions, as names (`[a, b, a]`), if any. */
export function findConditionCycle(space: readonly ParamSpec[]): string[] | undefined {
  const byName = new Map(space.map((p) => [p.name, p]));
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    const s = state.get(name);
    if (s === "done") return undefined;
    if (s === "visiting") return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, "visiting");
    stack.push(name);
    for (const dep of Object.keys(byName.get(name)?.when ?? {})) {
      if (!byName.has(dep)) continue;
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(name, "done");
    return undefined;
  };
  for (const p of space) {
    const cycle = visit(p.name);
    if (cycle) return cycle;
  }
  return undefined;
}

/**
 * The parameters in an order where each comes after every parameter its `when` refers to;
 * otherwise the order of `space` is kept (Kahn's algorithm, stable).
 *
 * @throws InvalidSearchSpaceError when the conditions form a cycle.
 */
export function sampleOrder(space: readonly ParamSpec[]): ParamSpec[] {
  const cycle = findConditionCycle(space);
  if (cycle) throw new InvalidSearchSpaceError(`parameter conditions form a cycle: ${cycle.join(" → ")}`);
  const names = new Set(space.map((p) => p.name));
  const placed = new Set<string>();
  const order: ParamSpec[] = [];
  while (order.length < space.length) {
    const next = space.find(
      (p) => !placed.has(p.name) && Object.keys(p.when).every((dep) => !names.has(dep) || placed.has(dep)),
    );
    // Unreachable without a cycle, which was excluded above.
    if (!next) throw new InvalidSearchSpaceError("parameter conditions cannot be ordered");
    placed.add(next.name);
    order.push(next);
  }
  return order;
}

/** True when every condition of `p` holds given the active parameters and their values. */
export function conditionsHold(
  p: ParamSpec,
  values: ParamAssignment,
  isActive: (name: string) => boolean,
): boolean {
  return Object.entries(p.when).every(([dep, allowed]) => {
    const v = values[dep];
    return isActive(dep) && v !== undefined && allowed.includes(v);
  });
}

/**
 * The parameters active under a (possibly partial) assignment, in sample order. A parameter
 * is active when all its `when` conditions hold; a condition on an inactive or unassigned
 * parameter does not hold.
 *
 * @throws InvalidSearchSpaceError when the conditions form a cycle.
 */
export function activeParams(space: readonly ParamSpec[], partial: ParamAssignment): ParamSpec[] {
  const active = new Set<string>();
  const out: ParamSpec[] = [];
  for (const p of sampleOrder(space)) {
    if (conditionsHold(p, partial, (n) => active.has(n))) {
      active.add(p.name);
      out.push(p);
    }
  }
  return out;
}
