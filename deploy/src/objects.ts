/**
 * Every Kubernetes object of the chart, as a function of the render context (tpl.ts). Typed
 * with kubernetes-models interfaces, so the compiler's excess-property checks catch typos here;
 * the tests validate the concrete output with the models' JSON schemas and an unknown-field check.
 *
 * Rules for this file: never branch on `ctx.v` with `if`/`?:`/`&&` (use ctx.when/pick/eq…);
 * never spread or iterate structured values (they are placeholders in template mode).
 */
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IService } from "kubernetes-models/v1/Service";
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { ISecret } from "kubernetes-models/v1/Secret";
import type { IPodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import type { IIoK8sApiCoreV1PodSpec } from "kubernetes-models/v1/PodSpec";
import type { IIoK8sApiCoreV1Probe } from "kubernetes-models/v1/Probe";
import type { IIoK8sApiCoreV1PodSecurityContext } from "kubernetes-models/v1/PodSecurityContext";
import type { IIoK8sApiCoreV1SecurityContext } from "kubernetes-models/v1/SecurityContext";
import type { IIoK8sApiCoreV1PodTemplateSpec } from "kubernetes-models/v1/PodTemplateSpec";
import type { IScaledObject } from "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject";
import type { IScaledJob } from "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledJob";
import type { IComGithubKedacoreKedaV2ApisKedaV1alpha1ScaleTriggers } from "@kubernetes-models/keda/keda.sh/v1alpha1/ScaleTriggers";
import type { IServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
import { TRIALS_CONSUMER, TRIALS_STREAM } from "@prunesweep/proto";
import type { Ctx } from "./tpl.js";
import { CHART_NAME, CHART_VERSION, CONTAINER_UID, type Values } from "./values.js";

/** One object of the chart: templates/<file>.yaml and, when present for the values, manifests/<file>.yaml. */
export interface Resource {
  readonly file: string;
  /** Rendered only when this holds (a `{{- if }}` around the template). */
  readonly when: boolean;
  readonly object: object;
}

/** Where things are mounted inside the containers. */
export const PATHS = {
  token: "/etc/prunesweep/auth/token",
  tls: "/etc/prunesweep/tls",
  clientTls: "/etc/prunesweep/client-tls",
  natsCreds: "/etc/prunesweep/nats/nats.creds",
  campaign: "/etc/prunesweep/campaign/campaign.yaml",
} as const;

/** Image names: <repository>/prunesweep-<component>:<tag>; components match deploy/docker/<component>.Dockerfile. */
export const IMAGE_COMPONENTS = ["coordinator", "worker-gpu", "worker-cpu"] as const;

/** Names, labels and derived settings shared by the builders. */
function common(ctx: Ctx<Values>) {
  const { v, release: rel } = ctx;
  const selector = (component: string) => ({
    "app.kubernetes.io/name": CHART_NAME,
    "app.kubernetes.io/instance": rel.name,
    "app.kubernetes.io/component": component,
  });
  const labels = (component: string) => ({
    ...selector(component),
    "app.kubernetes.io/version": CHART_VERSION,
    "app.kubernetes.io/part-of": CHART_NAME,
    "app.kubernetes.io/managed-by": "Helm",
    "helm.sh/chart": `${CHART_NAME}-${CHART_VERSION}`,
  });
  const names = {
    coordinator: `${rel.name}-coordinator`,
    worker: `${rel.name}-worker`,
    config: `${rel.name}-config`,
    auth: `${rel.name}-auth`,
    nats: `${rel.name}-nats`,
  };
  const authSecret = ctx.pick(ctx.ne(v.auth.existingSecret, ""), v.auth.existingSecret, names.auth);
  const natsUrl = ctx.pick(v.nats.enabled, `nats://${names.nats}.${rel.namespace}.svc:4222`, v.nats.externalUrl);
  const monitoringEndpoint = ctx.pick(
    v.nats.enabled,
    `${names.nats}-headless.${rel.namespace}.svc.cluster.local:${v.nats.config.monitor.port}`,
    v.nats.monitoringEndpoint,
  );
  const advertise = `${names.coordinator}.${rel.namespace}.svc:${v.coordinator.grpcPort}`;
  const meta = (name: string, component: string) => ({ name, namespace: rel.namespace, labels: labels(component) });
  const hasNatsCreds = ctx.ne(v.natsAuth.credsSecretName, "");
  const hasNatsSecret = ctx.ne(v.natsAuth.secretName, "");
  const mtls = ctx.and(v.tls.enabled, v.tls.mtls);
  const podSecurity: IIoK8sApiCoreV1PodSecurityContext = {
    runAsNonRoot: true,
    runAsUser: CONTAINER_UID,
    runAsGroup: CONTAINER_UID,
    fsGroup: CONTAINER_UID,
    seccompProfile: { type: "RuntimeDefault" },
  };
  const containerSecurity: IIoK8sApiCoreV1SecurityContext = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
  };
  const natsEnv = [
    { name: "NATS_URL", valueFrom: { configMapKeyRef: { name: names.config, key: "NATS_URL" } } },
    ctx.when(hasNatsCreds, { name: "NATS_CREDS", value: PATHS.natsCreds }),
  ];
  const natsEnvFrom = ctx.when(hasNatsSecret, [{ secretRef: { name: v.natsAuth.secretName } }]);
  const natsCredsVolume = ctx.when(hasNatsCreds, { name: "nats-creds", secret: { secretName: v.natsAuth.credsSecretName, items: [{ key: "nats.creds", path: "nats.creds" }] } });
  const natsCredsMount = ctx.when(hasNatsCreds, { name: "nats-creds", mountPath: "/etc/prunesweep/nats", readOnly: true });
  const image = (component: string) => `${v.image.repository}/${CHART_NAME}-${component}:${v.image.tag}`;
  return {
    selector,
    labels,
    names,
    authSecret,
    natsUrl,
    monitoringEndpoint,
    advertise,
    meta,
    mtls,
    podSecurity,
    containerSecurity,
    natsEnv,
    natsEnvFrom,
    natsCredsVolume,
    natsCredsMount,
    image,
  };
}

type Common = ReturnType<typeof common>;

function coordinatorObjects(ctx: Ctx<Values>, c: Common): Resource[] {
  const { v } = ctx;
  const cv = v.coordinator;
  const hasSpec = ctx.ne(cv.campaignSpec, "");
  const grpcProbe = (extra: IIoK8sApiCoreV1Probe): IIoK8sApiCoreV1Probe => ({ grpc: { port: cv.grpcPort, service: "" }, ...extra });
  const httpProbe = (extra: IIoK8sApiCoreV1Probe): IIoK8sApiCoreV1Probe => ({ httpGet: { path: "/healthz", port: "http" }, ...extra });
  const probe = (extra: IIoK8sApiCoreV1Probe) => ctx.when(v.tls.enabled, httpProbe(extra), grpcProbe(extra));

  const deployment: IDeployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: c.meta(c.names.coordinator, "coordinator"),
    spec: {
      // One writer per campaign store: never two coordinators, even during a rollout.
      replicas: 1,
      strategy: { type: "Recreate" },
      selector: { matchLabels: c.selector("coordinator") },
      template: {
        metadata: { labels: c.labels("coordinator"), annotations: cv.podAnnotations },
        spec: {
          automountServiceAccountToken: false,
          imagePullSecrets: v.image.pullSecrets,
          securityContext: c.podSecurity,
          terminationGracePeriodSeconds: cv.terminationGracePeriodSeconds,
          nodeSelector: cv.nodeSelector,
          tolerations: cv.tolerations,
          affinity: cv.affinity,
          containers: [
            {
              name: "coordinator",
              image: c.image("coordinator"),
              imagePullPolicy: v.image.pullPolicy,
              args: [
                "coordinator",
                "--host=0.0.0.0",
                `--port=${cv.grpcPort}`,
                `--http-port=${cv.httpPort}`,
                `--advertise=${c.advertise}`,
                `--store=${cv.store}`,
                `--ack-wait-ms=${cv.ackWaitMs}`,
                `--max-deliver=${cv.maxDeliver}`,
                `--nats-replicas=${v.nats.streamReplicas}`,
                `--log-level=${cv.logLevel}`,
                `--token-file=${PATHS.token}`,
                ctx.when(v.tls.enabled, `--tls-cert=${PATHS.tls}/tls.crt`),
                ctx.when(v.tls.enabled, `--tls-key=${PATHS.tls}/tls.key`),
                ctx.when(c.mtls, `--tls-ca=${PATHS.tls}/ca.crt`),
                ctx.when(hasSpec, `--spec=${PATHS.campaign}`),
              ] as string[],
              env: c.natsEnv as IIoK8sApiCoreV1PodSpec["containers"][number]["env"],
              envFrom: c.natsEnvFrom,
              ports: [
                { name: "grpc", containerPort: cv.grpcPort, protocol: "TCP" },
                { name: "http", containerPort: cv.httpPort, protocol: "TCP" },
              ],
              startupProbe: probe({ periodSeconds: 2, failureThreshold: 60 }),
              livenessProbe: probe({ periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 }),
              readinessProbe: probe({ periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 2 }),
              resources: cv.resources,
              securityContext: c.containerSecurity,
              volumeMounts: [
                { name: "auth", mountPath: "/etc/prunesweep/auth", readOnly: true },
                { name: "tmp", mountPath: "/tmp" },
                ctx.when(v.tls.enabled, { name: "tls", mountPath: PATHS.tls, readOnly: true }),
                ctx.when(hasSpec, { name: "campaign", mountPath: "/etc/prunesweep/campaign", readOnly: true }),
                c.natsCredsMount,
              ] as { name: string; mountPath: string }[],
            },
          ],
          volumes: [
            { name: "auth", secret: { secretName: c.authSecret, items: [{ key: "token", path: "token" }] } },
            { name: "tmp", emptyDir: {} },
            ctx.when(v.tls.enabled, { name: "tls", secret: { secretName: v.tls.secretName } }),
            ctx.when(hasSpec, { name: "campaign", configMap: { name: c.names.config, items: [{ key: "campaign.yaml", path: "campaign.yaml" }] } }),
            c.natsCredsVolume,
          ] as { name: string }[],
        },
      },
    },
  };

  const service: IService = {
    apiVersion: "v1",
    kind: "Service",
    metadata: c.meta(c.names.coordinator, "coordinator"),
    spec: {
      type: "ClusterIP",
      selector: c.selector("coordinator"),
      ports: [
        { name: "grpc", port: cv.grpcPort, targetPort: "grpc", protocol: "TCP", appProtocol: "kubernetes.io/h2c" },
        { name: "http", port: cv.httpPort, targetPort: "http", protocol: "TCP", appProtocol: "http" },
      ],
    },
  };

  const configMap: IConfigMap = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: c.meta(c.names.config, "config"),
    data: {
      NATS_URL: c.natsUrl,
      "campaign.yaml": ctx.when(hasSpec, cv.campaignSpec),
    } as Record<string, string>,
  };

  const secret: ISecret = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      ...c.meta(c.names.auth, "auth"),
      // helm uninstall keeps the token, so a reinstall keeps working workers' credentials.
      annotations: { "helm.sh/resource-policy": "keep" },
    },
    type: "Opaque",
    data: { token: ctx.secretToken(v.auth.token, c.names.auth) },
  };

  const serviceMonitor: IServiceMonitor = {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: { ...c.meta(c.names.coordinator, "coordinator"), labels: ctx.merge(c.labels("coordinator"), v.serviceMonitor.labels) },
    spec: {
      selector: { matchLabels: c.selector("coordinator") },
      namespaceSelector: { matchNames: [ctx.release.namespace] },
      endpoints: [{ port: "http", path: "/metrics", interval: v.serviceMonitor.interval }],
    },
  };

  return [
    { file: "coordinator-deployment", when: true, object: deployment },
    { file: "coordinator-service", when: true, object: service },
    { file: "config", when: true, object: configMap },
    { file: "auth-secret", when: ctx.eq(v.auth.existingSecret, ""), object: secret },
    { file: "coordinator-servicemonitor", when: v.serviceMonitor.enabled, object: serviceMonitor },
  ];
}

function workerObjects(ctx: Ctx<Values>, c: Common): Resource[] {
  const { v } = ctx;
  const wv = v.worker;
  const kind = wv.autoscaling.kind;
  const isJob = ctx.eq(kind, "ScaledJob");
  // Datasets too large to upload: a read-only volume at worker.datasets.mountPath.
  const hasClaim = ctx.ne(wv.datasets.existingClaim, "");
  const hasDatasets = ctx.or(hasClaim, ctx.ne(wv.datasets.hostPath, ""));

  const podTemplate = (restartPolicy: "Always" | "Never", maxTrials: string): IIoK8sApiCoreV1PodTemplateSpec => ({
    metadata: { labels: c.labels("worker"), annotations: wv.podAnnotations },
    spec: {
      automountServiceAccountToken: false,
      restartPolicy,
      imagePullSecrets: v.image.pullSecrets,
      securityContext: c.podSecurity,
      // Above --shutdown-grace-ms: time to finish or nak the running trial and flush acks.
      terminationGracePeriodSeconds: wv.terminationGracePeriodSeconds,
      nodeSelector: wv.nodeSelector,
      tolerations: wv.tolerations,
      affinity: wv.affinity,
      containers: [
        {
          name: "worker",
          image: c.image(`worker-${wv.variant}`),
          imagePullPolicy: v.image.pullPolicy,
          args: [
            "worker",
            `--heartbeat-ms=${wv.heartbeatMs}`,
            `--shutdown-grace-ms=${wv.shutdownGraceMs}`,
            `--max-trials=${maxTrials}`,
            `--log-level=${wv.logLevel}`,
            `--backend=${wv.backend}`,
            `--nats-replicas=${v.nats.streamReplicas}`,
            `--token-file=${PATHS.token}`,
            ctx.when(v.tls.enabled, `--tls-ca=${PATHS.tls}/ca.crt`),
            ctx.when(c.mtls, `--tls-cert=${PATHS.clientTls}/tls.crt`),
            ctx.when(c.mtls, `--tls-key=${PATHS.clientTls}/tls.key`),
          ] as string[],
          env: [
            ...c.natsEnv,
            { name: "PRUNESWEEP_WORKER_ID", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
            { name: "TF_FORCE_GPU_ALLOW_GROWTH", value: "true" },
            { name: "PRUNESWEEP_THREADS", value: `${wv.threads}` },
            // With graphics the NVIDIA container toolkit mounts the Vulkan ICD that the webgpu backend needs.
            { name: "NVIDIA_DRIVER_CAPABILITIES", value: wv.nvidiaDriverCapabilities },
            { name: "CUDA_CACHE_PATH", value: wv.cudaCache.path },
            { name: "CUDA_CACHE_MAXSIZE", value: `${wv.cudaCache.maxSizeBytes}` },
          ] as IIoK8sApiCoreV1PodSpec["containers"][number]["env"],
          envFrom: c.natsEnvFrom,
          resources: wv.resources,
          securityContext: c.containerSecurity,
          volumeMounts: [
            { name: "auth", mountPath: "/etc/prunesweep/auth", readOnly: true },
            { name: "tmp", mountPath: "/tmp" },
            { name: "cuda-cache", mountPath: wv.cudaCache.path },
            ctx.when(v.tls.enabled, { name: "tls-ca", mountPath: PATHS.tls, readOnly: true }),
            ctx.when(c.mtls, { name: "client-tls", mountPath: PATHS.clientTls, readOnly: true }),
            c.natsCredsMount,
            ctx.when(hasDatasets, { name: "datasets", mountPath: wv.datasets.mountPath, readOnly: true }),
          ] as { name: string; mountPath: string }[],
        },
      ],
      volumes: [
        { name: "auth", secret: { secretName: c.authSecret, items: [{ key: "token", path: "token" }] } },
        { name: "tmp", emptyDir: {} },
        ctx.merge({ name: "cuda-cache" }, wv.cudaCache.volume),
        // Only the CA: the coordinator's private key never reaches a worker.
        ctx.when(v.tls.enabled, { name: "tls-ca", secret: { secretName: v.tls.secretName, items: [{ key: "ca.crt", path: "ca.crt" }] } }),
        ctx.when(c.mtls, { name: "client-tls", secret: { secretName: v.tls.workerSecretName } }),
        c.natsCredsVolume,
        ctx.when(hasClaim, { name: "datasets", persistentVolumeClaim: { claimName: wv.datasets.existingClaim, readOnly: true } }),
        ctx.when(ctx.and(ctx.not(hasClaim), ctx.ne(wv.datasets.hostPath, "")), { name: "datasets", hostPath: { path: wv.datasets.hostPath, type: "Directory" } }),
      ] as { name: string }[],
    },
  });

  const deployment: IDeployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: c.meta(c.names.worker, "worker"),
    spec: {
      // With autoscaling the ScaledObject's HPA owns the replica count.
      replicas: ctx.when(ctx.eq(kind, "none"), wv.replicas),
      // No surge: a surge pod would need a spare GPU.
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
      selector: { matchLabels: c.selector("worker") },
      template: podTemplate("Always", `${wv.maxTrials}`),
    },
  };

  const trigger: IComGithubKedacoreKedaV2ApisKedaV1alpha1ScaleTriggers = {
    type: "nats-jetstream",
    metadata: {
      natsServerMonitoringEndpoint: c.monitoringEndpoint,
      account: wv.autoscaling.account,
      stream: TRIALS_STREAM,
      consumer: TRIALS_CONSUMER,
      lagThreshold: `${wv.autoscaling.lagThreshold}`,
      activationLagThreshold: `${wv.autoscaling.activationLagThreshold}`,
      useHttps: "false",
    },
  };

  const scaledObject: IScaledObject = {
    apiVersion: "keda.sh/v1alpha1",
    kind: "ScaledObject",
    metadata: c.meta(c.names.worker, "worker"),
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: c.names.worker },
      pollingInterval: wv.autoscaling.pollingInterval,
      cooldownPeriod: wv.autoscaling.cooldownPeriod,
      minReplicaCount: wv.autoscaling.minReplicas,
      maxReplicaCount: wv.autoscaling.maxReplicas,
      advanced: {
        // Lag counts running trials (ack-pending), so scale-down only follows finished work;
        // still remove at most one worker a minute (the HPA picks which pod; it drains on SIGTERM).
        horizontalPodAutoscalerConfig: {
          behavior: { scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: "Pods", value: 1, periodSeconds: 60 }] } },
        },
      },
      triggers: [trigger],
    },
  };

  const scaledJob: IScaledJob = {
    apiVersion: "keda.sh/v1alpha1",
    kind: "ScaledJob",
    metadata: c.meta(c.names.worker, "worker"),
    spec: {
      pollingInterval: wv.autoscaling.pollingInterval,
      minReplicaCount: wv.autoscaling.minReplicas,
      maxReplicaCount: wv.autoscaling.maxReplicas,
      successfulJobsHistoryLimit: 5,
      failedJobsHistoryLimit: 5,
      jobTargetRef: {
        parallelism: 1,
        completions: 1,
        // A failed trial is redelivered by JetStream (ack wait), not retried by the Job.
        backoffLimit: 0,
        podReplacementPolicy: "Failed",
        // Evictions and preemptions do not count as failures.
        podFailurePolicy: { rules: [{ action: "Ignore", onPodConditions: [{ type: "DisruptionTarget" }] }] },
        template: podTemplate("Never", "1"),
      },
      triggers: [trigger],
    },
  };

  const pdb: IPodDisruptionBudget = {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: c.meta(c.names.worker, "worker"),
    spec: { maxUnavailable: wv.pdb.maxUnavailable, selector: { matchLabels: c.selector("worker") } },
  };

  return [
    { file: "worker-deployment", when: ctx.not(isJob), object: deployment },
    { file: "worker-scaledobject", when: ctx.eq(kind, "ScaledObject"), object: scaledObject },
    { file: "worker-scaledjob", when: isJob, object: scaledJob },
    { file: "worker-pdb", when: ctx.not(isJob), object: pdb },
  ];
}

function networkPolicies(ctx: Ctx<Values>, c: Common): Resource[] {
  const { v } = ctx;
  const np = v.networkPolicy;
  const coordinator: INetworkPolicy = {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: c.meta(c.names.coordinator, "coordinator"),
    spec: {
      podSelector: { matchLabels: c.selector("coordinator") },
      policyTypes: ["Ingress"],
      ingress: [
        { from: [{ podSelector: { matchLabels: c.selector("worker") } }], ports: [{ port: "grpc", protocol: "TCP" }] },
        { from: np.operators, ports: [{ port: "grpc", protocol: "TCP" }, { port: "http", protocol: "TCP" }] },
        { from: np.metricsFrom, ports: [{ port: "http", protocol: "TCP" }] },
      ],
    },
  };
  // Workers listen on nothing.
  const worker: INetworkPolicy = {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: c.meta(c.names.worker, "worker"),
    spec: { podSelector: { matchLabels: c.selector("worker") }, policyTypes: ["Ingress"], ingress: [] },
  };
  const monitorPort = v.nats.config.monitor.port;
  const nats: INetworkPolicy = {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: c.meta(c.names.nats, "nats"),
    spec: {
      // The official chart's server pods (its selector labels).
      podSelector: { matchLabels: { "app.kubernetes.io/name": "nats", "app.kubernetes.io/instance": ctx.release.name, "app.kubernetes.io/component": "nats" } },
      policyTypes: ["Ingress"],
      ingress: [
        // This release only: coordinator, workers, nats-box, and the NATS peers (routes).
        { from: [{ podSelector: { matchLabels: { "app.kubernetes.io/instance": ctx.release.name } } }] },
        // KEDA's nats-jetstream scaler reads /jsz and /varz.
        {
          from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": np.kedaNamespace } } }],
          ports: [{ port: monitorPort, protocol: "TCP" }],
        },
        { from: np.metricsFrom, ports: [{ port: monitorPort, protocol: "TCP" }] },
      ],
    },
  };
  return [
    { file: "coordinator-networkpolicy", when: np.enabled, object: coordinator },
    { file: "worker-networkpolicy", when: np.enabled, object: worker },
    { file: "nats-networkpolicy", when: ctx.and(np.enabled, v.nats.enabled), object: nats },
  ];
}

/** Declares the cross-field rules (templates/validate.yaml; exceptions in concrete mode). */
function checks(ctx: Ctx<Values>): void {
  const { v } = ctx;
  ctx.check(ctx.gt(ctx.mul(v.worker.terminationGracePeriodSeconds, 1000), v.worker.shutdownGraceMs), "worker.terminationGracePeriodSeconds must exceed worker.shutdownGraceMs / 1000");
  ctx.check(ctx.gt(v.coordinator.ackWaitMs, v.worker.heartbeatMs), "coordinator.ackWaitMs must exceed worker.heartbeatMs");
  ctx.check(ctx.or(v.nats.enabled, ctx.ne(v.nats.externalUrl, "")), "nats.externalUrl is required when nats.enabled is false");
  ctx.check(
    ctx.or(v.nats.enabled, ctx.eq(v.worker.autoscaling.kind, "none"), ctx.ne(v.nats.monitoringEndpoint, "")),
    "nats.monitoringEndpoint is required for KEDA when nats.enabled is false",
  );
  ctx.check(
    ctx.or(ctx.not(v.nats.enabled), ctx.not(ctx.gt(v.nats.streamReplicas, v.nats.config.cluster.replicas))),
    "nats.streamReplicas must not exceed nats.config.cluster.replicas",
  );
  ctx.check(
    ctx.or(ctx.not(v.nats.enabled), v.nats.config.cluster.enabled, ctx.not(ctx.gt(v.nats.streamReplicas, 1))),
    "nats.streamReplicas must be 1 when nats.config.cluster.enabled is false",
  );
  ctx.check(ctx.or(ctx.not(v.tls.enabled), ctx.ne(v.tls.secretName, "")), "tls.secretName is required when tls.enabled");
  ctx.check(ctx.or(ctx.not(v.tls.mtls), ctx.and(v.tls.enabled, ctx.ne(v.tls.workerSecretName, ""))), "tls.mtls needs tls.enabled and tls.workerSecretName");
  ctx.check(ctx.or(ctx.eq(v.worker.datasets.existingClaim, ""), ctx.eq(v.worker.datasets.hostPath, "")), "worker.datasets: give existingClaim or hostPath, not both");
}

/** Every object of the chart, in a stable order. */
export function buildResources(ctx: Ctx<Values>): Resource[] {
  checks(ctx);
  const c = common(ctx);
  return [...coordinatorObjects(ctx, c), ...workerObjects(ctx, c), ...networkPolicies(ctx, c)];
}
