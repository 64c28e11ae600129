/**
 * The single-source mechanism. Every Kubernetes object of the chart is written once, as a
 * TypeScript function of a render context `ctx` (see objects.ts). The same function runs in
 * two modes:
 *
 * - concrete: `ctx.v` is a plain values object; conditions are booleans; the result is the
 *   object Kubernetes will receive (deploy/manifests/, validated with kubernetes-models);
 * - template: `ctx.v` is a proxy whose leaves are {@link Expr} placeholders for Go template
 *   expressions (`.Values.worker.gpus`), conditions are expressions, and `ctx.when()` returns
 *   {@link IfNode}s; emit.ts then prints the tree as a Helm template.
 *
 * Builders therefore never branch on values with `if`: they use `ctx.when`, `ctx.pick`,
 * `ctx.eq` and friends, which evaluate in concrete mode and print Go template in template
 * mode. The test suite evaluates the printed templates with a small Go-template interpreter
 * and checks that, for several value sets, the result equals the concrete rendering.
 */

/** How a placeholder prints where a YAML scalar stands alone. */
export type ExprType = "string" | "name" | "int" | "number" | "bool" | "yaml";

/** A Go template pipeline (the text between `{{ ` and ` }}`), with its value type. */
export class Expr {
  constructor(
    private readonly reg: Registry,
    /** The pipeline, e.g. `.Values.worker.gpus | int64`. */
    readonly pipeline: string,
    readonly type: ExprType,
  ) {}

  /** As an argument of a function: parenthesised when it is a pipeline. */
  get operand(): string {
    return /[\s|]/.test(this.pipeline) ? `(${this.pipeline})` : this.pipeline;
  }

  /** Interpolated into a string (`${expr}`): a sentinel that emit.ts turns back into `{{ … }}`. */
  toString(): string {
    if (this.type === "yaml") throw new Error(`cannot interpolate the structured value ${this.pipeline} into a string`);
    return this.reg.sentinel([{ act: this.pipeline }]);
  }
}

/** A piece of a template string: literal text, or an action printed as `{{ act }}`. */
export type Seg = { readonly lit: string } | { readonly act: string };

// NUL-delimited sentinels cannot occur in real values or YAML text.
// eslint-disable-next-line no-control-regex
const SENTINEL = /\u0000E(\d+)\u0000/;
// eslint-disable-next-line no-control-regex
const SENTINELS = /\u0000E(\d+)\u0000/g;

/** Keeps the segment lists that sentinels inside strings stand for. */
export class Registry {
  private readonly entries: Seg[][] = [];

  sentinel(segs: Seg[]): string {
    this.entries.push(segs);
    return `\u0000E${this.entries.length - 1}\u0000`;
  }

  /** Splits a string into literal text and template actions. */
  segments(s: string): Seg[] {
    const out: Seg[] = [];
    let last = 0;
    for (const m of s.matchAll(SENTINELS)) {
      if (m.index > last) out.push({ lit: s.slice(last, m.index) });
      const segs = this.entries[Number(m[1])];
      if (!segs) throw new Error(`unknown template sentinel ${m[1]}`);
      for (const seg of segs) out.push(...("lit" in seg ? this.segments(seg.lit) : [seg]));
      last = m.index + m[0].length;
    }
    if (last < s.length) out.push({ lit: s.slice(last) });
    return out;
  }

  static hasSentinel(s: string): boolean {
    return SENTINEL.test(s);
  }
}

/** A conditional part of an object: a map entry or a list item present only when `cond` holds. */
export class IfNode {
  constructor(
    readonly cond: string,
    readonly then: unknown,
    readonly otherwise: unknown,
  ) {}
}

/** Release identity; in template mode both are `.Release.*` placeholders. */
export interface ReleaseInfo {
  readonly name: string;
  readonly namespace: string;
}

/** A validation rule on the values: `fail` in the chart, an exception in concrete mode. */
interface Check {
  readonly cond: string;
  readonly message: string;
}

/** What builders receive. `V` is the values type. */
export interface Ctx<V> {
  readonly mode: "concrete" | "template";
  readonly v: V;
  readonly release: ReleaseInfo;
  /** `then` when `cond` holds, else `otherwise` (undefined omits the map key or list item). */
  when<T>(cond: boolean, then: T, otherwise?: T): T;
  /** A string chosen by a condition. */
  pick(cond: boolean, a: string, b: string): string;
  eq(a: unknown, b: unknown): boolean;
  ne(a: unknown, b: unknown): boolean;
  not(a: boolean): boolean;
  and(...xs: boolean[]): boolean;
  or(...xs: boolean[]): boolean;
  /** a > b on integers. */
  gt(a: number, b: number): boolean;
  /** a * b on integers. */
  mul(a: number, b: number): number;
  /** base64 of the token value, or — empty value — a token kept from the live Secret or generated. */
  secretToken(value: string, secretName: string): string;
  /** Fails the render (concrete) / the install (Helm) unless `cond` holds. */
  check(cond: boolean, message: string): void;
  /** `base` plus the entries of a structured value (labels, a volume source). */
  merge<T extends object, U extends object>(base: T, extra: U): T & U;
}

/** Key under which template mode keeps a structured value spread into a map. */
export const SPREAD = "\u0000spread";

/** Concrete mode: plain values, booleans, exceptions. */
export function concreteCtx<V>(v: V, release: ReleaseInfo): Ctx<V> {
  return {
    mode: "concrete",
    v,
    release,
    when: <T>(c: boolean, a: T, b?: T) => (c ? a : (b as T)),
    pick: (c, a, b) => (c ? a : b),
    eq: (a, b) => a === b,
    ne: (a, b) => a !== b,
    not: (a) => !a,
    and: (...xs) => xs.every(Boolean),
    or: (...xs) => xs.some(Boolean),
    gt: (a, b) => a > b,
    mul: (a, b) => a * b,
    secretToken: (value) => Buffer.from(value, "utf8").toString("base64"),
    check: (cond, message) => {
      if (!cond) throw new Error(message);
    },
    merge: <T extends object, U extends object>(base: T, extra: U) => ({ ...base, ...extra }),
  };
}

/** Template mode result: the context plus the checks the builders declared. */
export interface TemplateCtx<V> extends Ctx<V> {
  readonly registry: Registry;
  readonly checks: Check[];
}

/** A Go template string literal. */
function goString(s: string): string {
  return JSON.stringify(s);
}

/**
 * Template mode. `defaults` gives the shape and types of the values; paths in `opaque` (and
 * every array) are structured values printed with `toYaml`.
 */
export function templateCtx<V extends object>(defaults: V, opaque: ReadonlySet<string>): TemplateCtx<V> {
  const reg = new Registry();
  const checks: Check[] = [];

  const leafType = (d: unknown, path: string): ExprType => {
    if (Array.isArray(d) || opaque.has(path)) return "yaml";
    if (typeof d === "string") return "string";
    if (typeof d === "boolean") return "bool";
    if (typeof d === "number") return Number.isInteger(d) ? "int" : "number";
    throw new Error(`values.${path}: unsupported default ${String(d)}`);
  };

  const proxy = (node: Record<string, unknown>, path: string): unknown =>
    new Proxy(node, {
      get(target, prop) {
        if (typeof prop !== "string") return undefined;
        if (!Object.hasOwn(target, prop)) throw new Error(`values.${path ? `${path}.` : ""}${prop} is not in the default values`);
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(prop)) throw new Error(`values key ${prop} is not a Go template identifier`);
        const p = path ? `${path}.${prop}` : prop;
        const d = target[prop];
        if (d !== null && typeof d === "object" && !Array.isArray(d) && !opaque.has(p)) return proxy(d as Record<string, unknown>, p);
        const type = leafType(d, p);
        return new Expr(reg, type === "int" ? `.Values.${p} | int64` : `.Values.${p}`, type);
      },
    });

  /** A value as a Go template operand. */
  const operand = (x: unknown): string => {
    if (x instanceof Expr) return x.operand;
    if (typeof x === "string") {
      if (!Registry.hasSentinel(x)) return goString(x);
      const segs = reg.segments(x);
      const only = segs[0];
      if (segs.length === 1 && only && "act" in only) return /[\s|]/.test(only.act) ? `(${only.act})` : only.act;
      // Literal text and plain pipelines: printf. Control actions (if/else/end) cannot be operands.
      let fmt = "";
      const args: string[] = [];
      for (const seg of segs) {
        if ("lit" in seg) fmt += seg.lit.replaceAll("%", "%%");
        else if (/^(if|else|end)\b/.test(seg.act)) throw new Error(`cannot use the conditional string ${JSON.stringify(x)} as an operand`);
        else {
          fmt += "%v";
          args.push(/[\s|]/.test(seg.act) ? `(${seg.act})` : seg.act);
        }
      }
      return `(printf ${goString(fmt)} ${args.join(" ")})`;
    }
    if (typeof x === "number" || typeof x === "boolean") return String(x);
    throw new Error(`cannot use ${String(x)} in a template expression`);
  };
  const boolExpr = (pipeline: string): boolean => new Expr(reg, pipeline, "bool") as unknown as boolean;
  const condOf = (c: unknown): string => (typeof c === "boolean" ? String(c) : operand(c));

  const ctx: TemplateCtx<V> = {
    mode: "template",
    registry: reg,
    checks,
    v: proxy(defaults as Record<string, unknown>, "") as V,
    release: {
      name: new Expr(reg, ".Release.Name", "name") as unknown as string,
      namespace: new Expr(reg, ".Release.Namespace", "name") as unknown as string,
    },
    when: <T>(c: boolean, a: T, b?: T): T => {
      if (typeof c === "boolean") return c ? a : (b as T);
      return new IfNode(condOf(c), a, b) as unknown as T;
    },
    pick: (c, a, b) => {
      if (typeof c === "boolean") return c ? a : b;
      const segs = (s: string): Seg[] => reg.segments(String(s));
      return reg.sentinel([{ act: `if ${condOf(c)}` }, ...segs(a), { act: "else" }, ...segs(b), { act: "end" }]);
    },
    eq: (a, b) => boolExpr(`eq ${operand(a)} ${operand(b)}`),
    ne: (a, b) => boolExpr(`ne ${operand(a)} ${operand(b)}`),
    not: (a) => (typeof a === "boolean" ? !a : boolExpr(`not ${condOf(a)}`)),
    and: (...xs) => boolExpr(`and ${xs.map(condOf).join(" ")}`),
    or: (...xs) => boolExpr(`or ${xs.map(condOf).join(" ")}`),
    gt: (a, b) => boolExpr(`gt ${operand(a)} ${operand(b)}`),
    mul: (a, b) => new Expr(reg, `mul ${operand(a)} ${operand(b)}`, "int") as unknown as number,
    secretToken: (value, secretName) => {
      const name = operand(secretName);
      const kept = `dig "data" "token" (randAlphaNum 48 | b64enc) (lookup "v1" "Secret" .Release.Namespace ${name})`;
      return reg.sentinel([{ act: `if ${operand(value)}` }, { act: `${operand(value)} | b64enc` }, { act: "else" }, { act: kept }, { act: "end" }]);
    },
    check: (cond, message) => {
      if (typeof cond === "boolean") {
        if (!cond) throw new Error(message);
        return;
      }
      checks.push({ cond: condOf(cond), message });
    },
    merge: <T extends object, U extends object>(base: T, extra: U): T & U => {
      if (!(extra instanceof Expr)) return { ...base, ...extra };
      return { ...base, [SPREAD]: extra } as unknown as T & U;
    },
  };
  return ctx;
}
