import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Service } from "kubernetes-models/v1/Service";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Secret } from "kubernetes-models/v1/Secret";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { ScaledObject } from "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject";
import { ScaledJob } from "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledJob";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
import { MANIFESTS_DIR, renderObjects } from "../src/chart.js";
import { typecheckObjects, type Named } from "./support/typecheck.js";
import { VARIANTS } from "./support/variants.js";

const DEPLOY_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  "apps/v1/Deployment": Deployment,
  "v1/Service": Service,
  "v1/ConfigMap": ConfigMap,
  "v1/Secret": Secret,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
  "keda.sh/v1alpha1/ScaledObject": ScaledObject,
  "keda.sh/v1alpha1/ScaledJob": ScaledJob,
  "monitoring.coreos.com/v1/ServiceMonitor": ServiceMonitor,
};

function validateWithModel(o: Named): void {
  const key = `${String(o.object["apiVersion"])}/${String(o.object["kind"])}`;
  const Model = MODELS[key];
  if (!Model) throw new Error(`${o.name}: no kubernetes-models class for ${key}`);
  new Model(o.object).validate();
}

/** The committed manifests, parsed from disk. */
const committed: Named[] = readdirSync(join(DEPLOY_DIR, MANIFESTS_DIR))
  .filter((f) => f.endsWith(".yaml"))
  .map((f) => ({ name: `manifests/${f}`, object: parse(readFileSync(join(DEPLOY_DIR, MANIFESTS_DIR, f), "utf8")) as Record<string, unknown> }));

/** The objects of every variant. */
const rendered: Named[] = VARIANTS.flatMap((v) => renderObjects(v.values, v.release).map((r) => ({ name: `${v.name}: ${r.file}`, object: r.object })));

describe("offline validation of the manifests", () => {
  it("deploy/manifests holds the default objects", () => {
    expect(committed.map((c) => `${String(c.object["kind"])}/${String((c.object["metadata"] as { name: string }).name)}`).sort()).toEqual([
      "ConfigMap/prunesweep-config",
      "Deployment/prunesweep-coordinator",
      "Deployment/prunesweep-worker",
      "NetworkPolicy/prunesweep-coordinator",
      "NetworkPolicy/prunesweep-nats",
      "NetworkPolicy/prunesweep-worker",
      "PodDisruptionBudget/prunesweep-worker",
      "ScaledObject/prunesweep-worker",
      "Secret/prunesweep-auth",
      "Service/prunesweep-coordinator",
    ]);
  });

  it("every object passes kubernetes-models / KEDA / prometheus-operator schema validation", () => {
    for (const o of [...committed, ...rendered]) expect(() => validateWithModel(o), o.name).not.toThrow();
  });

  it("schema validation catches wrong types (sanity check of the validator)", () => {
    const d = structuredClone(committed.find((c) => c.name.endsWith("worker-deployment.yaml"))!);
    (d.object["spec"] as Record<string, unknown>)["replicas"] = "3";
    expect(() => validateWithModel(d)).toThrow(/replicas/);
  });

  it("no object has a field its Kubernetes / CRD type does not define, at any depth", () => {
    expect(typecheckObjects([...committed, ...rendered])).toEqual([]);
  }, 30_000);

  it("the unknown-field check rejects typos that kubernetes-models accepts", () => {
    // TypeScript reports the first excess property of each object: one typo per copy.
    const worker = committed.find((c) => c.name.endsWith("worker-deployment.yaml"))!;
    const d1 = structuredClone(worker);
    (d1.object["spec"] as Record<string, unknown>)["replica"] = 2;
    const d2 = structuredClone(worker);
    const spec = d2.object["spec"] as { template: { spec: { containers: Record<string, unknown>[] } } };
    spec.template.spec.containers[0]!["resourcez"] = {};
    const so = structuredClone(committed.find((c) => c.name.endsWith("worker-scaledobject.yaml"))!);
    (so.object["spec"] as Record<string, unknown>)["maxReplicas"] = 3;
    for (const o of [d1, d2, so]) expect(() => validateWithModel(o)).not.toThrow();
    const errors = typecheckObjects([d1, d2, so]);
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatch(/'"?replica"?' does not exist/);
    expect(errors[1]).toMatch(/'"?resourcez"?' does not exist/);
    expect(errors[2]).toMatch(/'"?maxReplicas"?' does not exist/);
  }, 30_000);
});
