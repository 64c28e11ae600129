/** Value sets the tests render besides the defaults: every branch of the chart is taken by one. */
import { DEFAULT_VALUES, type Values } from "../../src/values.js";
import type { ReleaseInfo } from "../../src/tpl.js";

export interface Variant {
  readonly name: string;
  readonly values: Values;
  readonly release: ReleaseInfo;
}

function variant(name: string, release: ReleaseInfo, edit: (v: Values) => void): Variant {
  const values = structuredClone(DEFAULT_VALUES);
  edit(values);
  return { name, values, release };
}

export const DEFAULT_VARIANT: Variant = variant("defaults", { name: "prunesweep", namespace: "prunesweep" }, () => undefined);

export const VARIANTS: readonly Variant[] = [
  DEFAULT_VARIANT,
  variant("scaledjob, mTLS, NATS creds, campaign spec, ServiceMonitor", { name: "sweep", namespace: "ml" }, (v) => {
    v.worker.autoscaling.kind = "ScaledJob";
    v.tls = { enabled: true, secretName: "coord-tls", mtls: true, workerSecretName: "worker-tls" };
    v.natsAuth = { secretName: "nats-user", credsSecretName: "nats-creds" };
    v.coordinator.campaignSpec = "name: big\nseed: 1\n";
    v.serviceMonitor = { enabled: true, interval: "15s", labels: { release: "kube-prometheus-stack" } };
    v.auth.token = "s3cret-token";
    v.worker.cudaCache.volume = { persistentVolumeClaim: { claimName: "cuda-cache" } };
    v.worker.datasets.existingClaim = "datasets";
    v.worker.podAnnotations = { "example.com/team": "pruning" };
    v.image.pullSecrets = [{ name: "regcred" }];
  }),
  variant("external NATS, cpu workers, fixed replicas, no policies, existing secret", { name: "ps", namespace: "default" }, (v) => {
    v.nats.enabled = false;
    v.nats.externalUrl = "nats://nats.messaging.svc:4222";
    v.nats.monitoringEndpoint = "nats-headless.messaging.svc.cluster.local:8222";
    v.worker.variant = "cpu";
    v.worker.autoscaling.kind = "none";
    v.worker.replicas = 3;
    v.worker.resources = { requests: { cpu: "4", memory: "4Gi" } };
    v.worker.nodeSelector = {};
    v.worker.tolerations = [];
    v.networkPolicy.enabled = false;
    v.auth.existingSecret = "my-token";
    v.tls = { enabled: true, secretName: "coord-tls", mtls: false, workerSecretName: "" };
    v.nats.streamReplicas = 1;
    v.coordinator.logLevel = "debug";
    v.worker.datasets = { existingClaim: "", hostPath: "/srv/datasets", mountPath: "/data/sets" };
  }),
];

/** Value sets the chart must refuse, with the message both renderers give. */
export const INVALID: readonly (Variant & { readonly message: string })[] = [
  {
    ...variant("grace", DEFAULT_VARIANT.release, (v) => {
      v.worker.terminationGracePeriodSeconds = 30;
    }),
    message: "worker.terminationGracePeriodSeconds must exceed worker.shutdownGraceMs / 1000",
  },
  {
    ...variant("external NATS without URL", DEFAULT_VARIANT.release, (v) => {
      v.nats.enabled = false;
    }),
    message: "nats.externalUrl is required when nats.enabled is false",
  },
  {
    ...variant("R5 streams on 3 servers", DEFAULT_VARIANT.release, (v) => {
      v.nats.streamReplicas = 5;
    }),
    message: "nats.streamReplicas must not exceed nats.config.cluster.replicas",
  },
  {
    ...variant("R3 streams on one unclustered server", DEFAULT_VARIANT.release, (v) => {
      v.nats.config.cluster.enabled = false;
    }),
    message: "nats.streamReplicas must be 1 when nats.config.cluster.enabled is false",
  },
  {
    ...variant("datasets from a claim and a host path", DEFAULT_VARIANT.release, (v) => {
      v.worker.datasets = { existingClaim: "datasets", hostPath: "/srv/datasets", mountPath: "/datasets" };
    }),
    message: "worker.datasets: give existingClaim or hostPath, not both",
  },
  {
    ...variant("mtls without tls", DEFAULT_VARIANT.release, (v) => {
      v.tls.mtls = true;
    }),
    message: "tls.mtls needs tls.enabled and tls.workerSecretName",
  },
];
