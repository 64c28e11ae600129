/**
 * The unknown-field check that kubernetes-models' validate() lacks: each rendered object is
 * written as an object literal annotated with its kubernetes-models interface and type-checked
 * by the TypeScript compiler, whose excess-property checks reject every key the Kubernetes
 * OpenAPI schema (and the KEDA / Prometheus Operator CRDs) does not define, at any depth,
 * along with wrong types.
 */
import ts from "typescript";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const DEPLOY_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** apiVersion/kind -> [module, interface]. */
export const MODEL_TYPES: Record<string, [string, string]> = {
  "apps/v1/Deployment": ["kubernetes-models/apps/v1/Deployment", "IDeployment"],
  "v1/Service": ["kubernetes-models/v1/Service", "IService"],
  "v1/ConfigMap": ["kubernetes-models/v1/ConfigMap", "IConfigMap"],
  "v1/Secret": ["kubernetes-models/v1/Secret", "ISecret"],
  "policy/v1/PodDisruptionBudget": ["kubernetes-models/policy/v1/PodDisruptionBudget", "IPodDisruptionBudget"],
  "networking.k8s.io/v1/NetworkPolicy": ["kubernetes-models/networking.k8s.io/v1/NetworkPolicy", "INetworkPolicy"],
  "keda.sh/v1alpha1/ScaledObject": ["@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject", "IScaledObject"],
  "keda.sh/v1alpha1/ScaledJob": ["@kubernetes-models/keda/keda.sh/v1alpha1/ScaledJob", "IScaledJob"],
  "monitoring.coreos.com/v1/ServiceMonitor": ["@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor", "IServiceMonitor"],
};

export interface Named {
  readonly name: string;
  readonly object: Record<string, unknown>;
}

/** Type errors per object, as `name: message`; empty when every object matches its type exactly. */
export function typecheckObjects(objects: readonly Named[]): string[] {
  const file = join(DEPLOY_DIR, "test", "__typecheck__.ts");
  const lines: string[] = [];
  const owner: string[] = [];
  const imports = new Map<string, string>();
  objects.forEach((o, i) => {
    const key = `${String(o.object["apiVersion"])}/${String(o.object["kind"])}`;
    const t = MODEL_TYPES[key];
    if (!t) throw new Error(`${o.name}: no model type for ${key}`);
    const alias = `T${imports.size}`;
    if (!imports.has(key)) imports.set(key, alias);
    const body = `export const o${i}: ${imports.get(key)!} = ${JSON.stringify(o.object, null, 2)};`.split("\n");
    for (const l of body) {
      lines.push(l);
      owner.push(o.name);
    }
  });
  const head = [...imports].map(([key, alias]) => `import type { ${MODEL_TYPES[key]![1]} as ${alias} } from "${MODEL_TYPES[key]![0]}";`);
  const text = [...head, ...lines].join("\n");
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    lib: ["lib.es2022.d.ts"],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, ...rest) => (name === file ? ts.createSourceFile(name, text, lang) : getSourceFile(name, lang, ...rest));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || fileExists(name);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => (name === file ? text : readFile(name));
  const program = ts.createProgram([file], options, host);
  const sf = program.getSourceFile(file)!;
  return ts.getPreEmitDiagnostics(program, sf).map((d) => {
    const msg = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    if (d.file && d.start !== undefined) {
      const line = d.file.getLineAndCharacterOfPosition(d.start).line - head.length;
      return `${owner[line] ?? "(imports)"}: ${msg}`;
    }
    return msg;
  });
}
