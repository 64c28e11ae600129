/**
 * Turns zod issues into {@link SpecIssue}s: a dotted path and a short human message
 * (`budget.parallelism: expected an integer, got 1.5`, `task.modle: unknown key`).
 */
import type { z } from "zod";
import type { SpecIssue } from "../errors.js";

/** Joins path segments with dots: `["objectives", 0, "metric"]` → `objectives.0.metric`. */
function joinPath(...parts: readonly (PropertyKey | readonly PropertyKey[])[]): string {
  return parts
    .flat()
    .map((p) => String(p))
    .filter((p) => p !== "")
    .join(".");
}

/** A short name for the type of a parsed YAML value, as users know it. */
function describeType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "number") return Number.isFinite(v) ? "number" : String(v);
  return typeof v;
}

const EXPECTED: Readonly<Record<string, string>> = {
  number: "a number",
  int: "an integer",
  string: "a string",
  boolean: "a boolean (true or false)",
  array: "a list",
  tuple: "a list",
  object: "a mapping",
  record: "a mapping",
};

function typeIssueMessage(expected: string, input: unknown, received: unknown): string {
  if (input === undefined && received === undefined) return "required";
  const want = EXPECTED[expected] ?? expected;
  if (expected === "int" && typeof input === "number") return `expected an integer, got ${input}`;
  const got = input !== undefined ? describeType(input) : String(received);
  return `expected ${want}, got ${got}`;
}

function boundMessage(origin: string, bound: unknown, inclusive: boolean | undefined, small: boolean): string {
  const n = Number(bound);
  switch (origin) {
    case "array":
    case "set":
      return small ? `must have at least ${n} item${n === 1 ? "" : "s"}` : `must have at most ${n} item${n === 1 ? "" : "s"}`;
    case "string":
      if (small && n === 1) return "must not be empty";
      return small ? `must be at least ${n} characters long` : `must be at most ${n} characters long`;
    default: {
      const op = small ? (inclusive === false ? ">" : ">=") : inclusive === false ? "<" : "<=";
      return `must be ${op} ${String(bound)}`;
    }
  }
}

/**
 * `, got <value>` when zod reported the input (it does for values, not for missing keys); for
 * a length bound, the length.
 */
function got(input: unknown, origin?: string): string {
  if (input === undefined) return "";
  if (origin === "string" && typeof input === "string") return input.length === 0 ? "" : `, got ${input.length} characters`;
  if (Array.isArray(input)) return `, got ${input.length} item${input.length === 1 ? "" : "s"}`;
  if (typeof input === "string") return `, got "${input}"`;
  if (typeof input === "number" || typeof input === "boolean" || input === null) return `, got ${String(input)}`;
  return `, got ${describeType(input)}`;
}

/** Converts zod issues to spec issues, prefixing each path with `prefix`. */
function toSpecIssues(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): SpecIssue[] {
  const out: SpecIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    const raw = issue as unknown as Record<string, unknown>;
    switch (issue.code) {
      case "unrecognized_keys":
        for (const key of issue.keys) out.push({ path: joinPath(path, key), message: "unknown key" });
        break;
      case "invalid_type":
        out.push({ path: joinPath(path), message: typeIssueMessage(issue.expected, issue.input, raw["received"]) });
        break;
      case "too_small":
        out.push({ path: joinPath(path), message: boundMessage(issue.origin, issue.minimum, issue.inclusive, true) + got(issue.input, issue.origin) });
        break;
      case "too_big":
        out.push({ path: joinPath(path), message: boundMessage(issue.origin, issue.maximum, issue.inclusive, false) + got(issue.input, issue.origin) });
        break;
      case "invalid_value": {
        const values = issue.values.map(String).join(", ");
        const message = issue.input === undefined ? `required; one of: ${values}` : `must be one of: ${values}${got(issue.input)}`;
        out.push({ path: joinPath(path), message });
        break;
      }
      case "not_multiple_of":
        out.push({ path: joinPath(path), message: `must be a multiple of ${String(issue.divisor)}${got(issue.input)}` });
        break;
      case "invalid_union":
        out.push({ path: joinPath(path), message: `invalid value (${issue.message})${got(issue.input)}` });
        break;
      default:
        out.push({ path: joinPath(path), message: issue.message });
    }
  }
  return out;
}

/** Parses `value` with `schema`; returns the data or the issues located under `prefix`. */
export function parseWith<T extends z.ZodType>(
  schema: T,
  value: unknown,
  prefix: readonly PropertyKey[] = [],
): { ok: true; data: z.output<T> } | { ok: false; issues: SpecIssue[] } {
  const r = schema.safeParse(value, { reportInput: true });
  return r.success ? { ok: true, data: r.data } : { ok: false, issues: toSpecIssues(r.error.issues, prefix) };
}
