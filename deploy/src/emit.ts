/**
 * A small block-style YAML printer for Kubernetes objects that also prints Helm templates:
 * {@link Expr} placeholders become `{{ … }}` actions, structured placeholders become
 * `{{- toYaml … | nindent N }}`, and {@link IfNode}s become `{{- if … }}` … `{{- end }}` lines.
 * The same printer writes deploy/manifests/ (no placeholders) and the chart's templates, so the
 * two differ only where values are substituted.
 */
import { stringify } from "yaml";
import { Expr, IfNode, Registry, SPREAD } from "./tpl.js";

const INDENT = 2;

function plainScalar(s: string): string {
  if (s.includes("{{")) throw new Error(`literal text must not contain "{{": ${s}`);
  if (s.includes("\n")) return JSON.stringify(s);
  return stringify(s, { lineWidth: 0 }).trimEnd();
}

export class YamlEmitter {
  constructor(private readonly reg?: Registry) {}

  /** One document (no leading `---`). */
  document(obj: Record<string, unknown>): string {
    return `${this.mapEntries(obj, 0).join("\n")}\n`;
  }

  private scalar(x: unknown): string {
    if (x === null) return "null";
    if (x instanceof Expr) {
      if (x.type === "yaml") throw new Error(`structured value ${x.pipeline} where a scalar is expected`);
      return x.type === "string" ? `{{ ${x.pipeline} | quote }}` : `{{ ${x.pipeline} }}`;
    }
    switch (typeof x) {
      case "number":
        if (!Number.isFinite(x)) throw new Error(`non-finite number ${x}`);
        return String(x);
      case "boolean":
        return String(x);
      case "string":
        return this.string(x);
      default:
        throw new Error(`cannot print ${typeof x} as a YAML scalar`);
    }
  }

  private string(s: string): string {
    if (!Registry.hasSentinel(s)) return plainScalar(s);
    if (!this.reg) throw new Error("template placeholder in concrete mode");
    const segs = this.reg.segments(s);
    const only = segs[0];
    if (segs.length === 1 && only && "act" in only && !/^(if|else|end)\b/.test(only.act)) return `{{ ${only.act} | quote }}`;
    let out = '"';
    for (const seg of segs) {
      if ("lit" in seg) {
        if (seg.lit.includes("{{")) throw new Error(`literal text must not contain "{{": ${seg.lit}`);
        out += JSON.stringify(seg.lit).slice(1, -1);
      } else out += `{{ ${seg.act} }}`;
    }
    return `${out}"`;
  }

  private isMap(x: unknown): x is Record<string, unknown> {
    return x !== null && typeof x === "object" && !Array.isArray(x) && !(x instanceof Expr) && !(x instanceof IfNode);
  }

  private mapEntries(obj: Record<string, unknown>, indent: number): string[] {
    const out: string[] = [];
    const pad = " ".repeat(indent);
    for (const [k, v] of Object.entries(obj)) {
      if (k === SPREAD && v instanceof Expr) out.push(`${pad}{{- with ${v.pipeline} }}`, `${pad}{{- toYaml . | nindent ${indent} }}`, `${pad}{{- end }}`);
      else out.push(...this.entry(k, v, indent));
    }
    return out;
  }

  private entry(key: string, v: unknown, indent: number): string[] {
    const pad = " ".repeat(indent);
    const k = plainScalar(key);
    if (v === undefined) return [];
    if (v instanceof IfNode) {
      const then = this.entry(key, v.then, indent);
      const other = v.otherwise === undefined ? [] : this.entry(key, v.otherwise, indent);
      if (then.length === 0 && other.length === 0) return [];
      return [`${pad}{{- if ${v.cond} }}`, ...then, ...(other.length ? [`${pad}{{- else }}`, ...other] : []), `${pad}{{- end }}`];
    }
    if (v instanceof Expr && v.type === "yaml") return [`${pad}${k}:`, `${pad}${" ".repeat(INDENT)}{{- toYaml ${v.pipeline} | nindent ${indent + INDENT} }}`];
    if (Array.isArray(v)) {
      const items = v.flatMap((item) => this.listItem(item, indent + INDENT));
      return items.length ? [`${pad}${k}:`, ...items] : [`${pad}${k}: []`];
    }
    if (this.isMap(v)) {
      const inner = this.mapEntries(v, indent + INDENT);
      return inner.length ? [`${pad}${k}:`, ...inner] : [`${pad}${k}: {}`];
    }
    return [`${pad}${k}: ${this.scalar(v)}`];
  }

  private listItem(item: unknown, indent: number): string[] {
    const pad = " ".repeat(indent);
    if (item === undefined) return [];
    if (item instanceof IfNode) {
      if (item.otherwise !== undefined) throw new Error("list items support `when` without an alternative");
      const then = this.listItem(item.then, indent);
      return then.length ? [`${pad}{{- if ${item.cond} }}`, ...then, `${pad}{{- end }}`] : [];
    }
    if (Array.isArray(item) || (item instanceof Expr && item.type === "yaml")) throw new Error("nested or structured list items are not supported");
    if (this.isMap(item)) {
      const inner = this.mapEntries(item, indent + INDENT);
      const first = inner[0];
      if (first === undefined) return [`${pad}- {}`];
      const innerPad = " ".repeat(indent + INDENT);
      if (first.startsWith(`${innerPad}{{`)) return [`${pad}-`, ...inner];
      return [`${pad}- ${first.slice(innerPad.length)}`, ...inner.slice(1)];
    }
    return [`${pad}- ${this.scalar(item)}`];
  }
}
