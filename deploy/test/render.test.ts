import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { CHART_DIR, renderAll, renderObjects, renderTemplates, valuesSchema } from "../src/chart.js";
import { CHART_VERSION, DEFAULT_VALUES, OPAQUE_PATHS, VALUE_DOCS } from "../src/values.js";
import { diffGenerated } from "../scripts/render.js";
import { renderGoTemplate } from "./support/go-template.js";
import { INVALID, VARIANTS, type Variant } from "./support/variants.js";

const DEPLOY_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
const TEMPLATES = renderTemplates();

/** Renders the chart's templates like `helm template` (offline) and parses the documents. */
function helmTemplate(variant: Variant): Map<string, Record<string, unknown>> {
  // Values as Helm sees them: through YAML.
  const values = parse(JSON.stringify(variant.values)) as unknown;
  const dot = {
    Values: values,
    Release: { Name: variant.release.name, Namespace: variant.release.namespace, Service: "Helm" },
    Chart: { Name: "prunesweep", Version: CHART_VERSION, AppVersion: CHART_VERSION },
  };
  const out = new Map<string, Record<string, unknown>>();
  for (const [name, text] of TEMPLATES) {
    const rendered = renderGoTemplate(text, dot);
    if (!name.endsWith(".yaml")) continue;
    const docs = parseAllDocuments(rendered);
    for (const d of docs) {
      expect(d.errors, `${name}: ${d.errors.join("; ")}\n${rendered}`).toEqual([]);
      const obj = d.toJS() as Record<string, unknown> | null;
      if (obj) out.set(name.replace(/\.yaml$/, ""), obj);
    }
  }
  return out;
}

describe("single source of truth", () => {
  it("the committed chart, manifests and ignore files equal a fresh render (npm run render:deploy)", () => {
    expect(diffGenerated(DEPLOY_DIR)).toEqual([]);
  });

  it.each(VARIANTS.map((v) => [v.name, v] as const))("Helm templates rendered for %s equal the concrete objects", (_name, variant) => {
    const concrete = new Map(renderObjects(variant.values, variant.release).map((r) => [r.file, r.object]));
    const templated = helmTemplate(variant);
    expect([...templated.keys()].sort()).toEqual([...concrete.keys()].sort());
    for (const [file, obj] of concrete) expect(templated.get(file), file).toEqual(obj);
  });

  it("the variants exercise every template", () => {
    const seen = new Set(VARIANTS.flatMap((v) => renderObjects(v.values, v.release).map((r) => `${r.file}.yaml`)));
    const templates = [...TEMPLATES.keys()].filter((n) => n.endsWith(".yaml") && n !== "validate.yaml");
    expect(templates.filter((t) => !seen.has(t))).toEqual([]);
  });

  it.each(INVALID.map((v) => [v.name, v] as const))("invalid values (%s) fail in both renderers with the same message", (_name, variant) => {
    expect(() => renderObjects(variant.values, variant.release)).toThrow(variant.message);
    expect(() => helmTemplate(variant)).toThrow(`fail: ${variant.message}`);
  });

  it("NOTES.txt renders", () => {
    const notes = renderGoTemplate(TEMPLATES.get("NOTES.txt")!, {
      Values: DEFAULT_VALUES,
      Release: { Name: "prunesweep", Namespace: "sweeps" },
      Chart: { AppVersion: CHART_VERSION },
    });
    expect(notes).toContain("port-forward svc/prunesweep-coordinator 50051 8080");
    expect(notes).toContain("get secret prunesweep-auth");
  });
});

describe("the datasets volume (datasets too large to upload)", () => {
  type Pod = { containers: { volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[] }[]; volumes: Record<string, unknown>[] };
  const pods = (variant: Variant): Pod[] =>
    [...helmTemplate(variant)].flatMap(([file, obj]) => {
      const spec = obj["spec"] as { template?: { spec: Pod }; jobTargetRef?: { template: { spec: Pod } } } | undefined;
      if (!file.startsWith("worker-")) return [];
      const pod = spec?.template?.spec ?? spec?.jobTargetRef?.template.spec;
      return pod ? [pod] : [];
    });

  it.each([
    [VARIANTS[1] as Variant, "/datasets", { name: "datasets", persistentVolumeClaim: { claimName: "datasets", readOnly: true } }],
    [VARIANTS[2] as Variant, "/data/sets", { name: "datasets", hostPath: { path: "/srv/datasets", type: "Directory" } }],
  ])("is mounted read-only in every worker pod at its mountPath (%#)", (variant, mountPath, volume) => {
    const found = pods(variant);
    expect(found.length).toBeGreaterThan(0);
    for (const pod of found) {
      expect(pod.containers[0]?.volumeMounts).toContainEqual({ name: "datasets", mountPath, readOnly: true });
      expect(pod.volumes.filter((v) => v["name"] === "datasets")).toEqual([volume]);
    }
  });

  it("is absent by default", () => {
    for (const pod of pods(VARIANTS[0] as Variant)) {
      expect(pod.volumes.map((v) => v["name"])).not.toContain("datasets");
      expect(pod.containers[0]?.volumeMounts.map((m) => m.name)).not.toContain("datasets");
    }
  });
});

describe("values.yaml and values.schema.json", () => {
  const files = renderAll();
  const valuesText = files.get(`${CHART_DIR}/values.yaml`)!;

  it("values.yaml parses back to the defaults", () => {
    expect(parse(valuesText)).toEqual(DEFAULT_VALUES);
  });

  it("documents every key with a comment, and documents no key that does not exist", () => {
    const paths: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (node === null || typeof node !== "object" || Array.isArray(node)) return;
      for (const [k, v] of Object.entries(node)) {
        const p = path ? `${path}.${k}` : k;
        paths.push(p);
        if (!OPAQUE_PATHS.has(p)) walk(v, p);
      }
    };
    walk(DEFAULT_VALUES, "");
    expect(paths.filter((p) => !VALUE_DOCS[p])).toEqual([]);
    expect(Object.keys(VALUE_DOCS).filter((p) => !paths.includes(p))).toEqual([]);
    for (const p of paths) expect(valuesText, p).toContain(`# ${VALUE_DOCS[p]!.split("\n")[0]}`);
  });

  /** The JSON Schema keywords values.schema.json uses: type, properties, additionalProperties, enum. */
  function schemaErrors(schema: Record<string, unknown>, value: unknown, path = "values"): string[] {
    const type = schema["type"];
    const actual = Array.isArray(value) ? "array" : value === null ? "null" : Number.isInteger(value) ? "integer" : typeof value;
    if (type && !(type === actual || (type === "number" && actual === "integer"))) return [`${path}: expected ${String(type)}, got ${actual}`];
    const errors: string[] = [];
    const en = schema["enum"] as unknown[] | undefined;
    if (en && !en.includes(value)) errors.push(`${path}: not one of ${en.join(", ")}`);
    if (actual === "object") {
      const props = (schema["properties"] ?? {}) as Record<string, Record<string, unknown>>;
      for (const [k, v] of Object.entries(value as object)) {
        if (props[k]) errors.push(...schemaErrors(props[k], v, `${path}.${k}`));
        else if (schema["additionalProperties"] === false) errors.push(`${path}.${k}: unknown key`);
      }
    }
    return errors;
  }

  it("the schema accepts every variant and rejects typos and wrong types", () => {
    const schema = valuesSchema();
    for (const v of VARIANTS) expect(schemaErrors(schema, v.values), v.name).toEqual([]);
    // Helm adds `global` when a chart has dependencies; the NATS chart's own keys pass through.
    expect(schemaErrors(schema, { global: {}, nats: { config: { websocket: { enabled: true } } } })).toEqual([]);
    expect(schemaErrors(schema, { worker: { shutdownGraceMS: 1 } })).toEqual(["values.worker.shutdownGraceMS: unknown key"]);
    expect(schemaErrors(schema, { worker: { autoscaling: { kind: "Deployment" } } })).toEqual([
      "values.worker.autoscaling.kind: not one of ScaledObject, ScaledJob, none",
    ]);
    expect(schemaErrors(schema, { coordinator: { grpcPort: "50051" } })).toEqual(["values.coordinator.grpcPort: expected integer, got string"]);
  });

  it("Chart.yaml depends on the official NATS chart, conditioned on nats.enabled", () => {
    const chart = parse(readFileSync(join(DEPLOY_DIR, CHART_DIR, "Chart.yaml"), "utf8")) as {
      apiVersion: string;
      version: string;
      appVersion: string;
      dependencies: { name: string; repository: string; condition: string }[];
    };
    expect(chart.apiVersion).toBe("v2");
    expect(chart.appVersion).toBe(DEFAULT_VALUES.image.tag);
    expect(chart.dependencies).toEqual([expect.objectContaining({ name: "nats", repository: "https://nats-io.github.io/k8s/helm/charts/", condition: "nats.enabled" })]);
  });
});
