/**
 * The chart's values: type, defaults and documentation, in one place. values.yaml (with a
 * comment on every key) and values.schema.json are generated from this file. Defaults mirror
 * the CLI's: coordinator/src/config.ts and worker/src/config.ts (checked by
 * deploy/test/consistency.test.ts).
 */
import type { IIoK8sApiCoreV1Toleration } from "kubernetes-models/v1/Toleration";
import type { IIoK8sApiCoreV1ResourceRequirements } from "kubernetes-models/v1/ResourceRequirements";
import type { IIoK8sApiCoreV1Affinity } from "kubernetes-models/v1/Affinity";
import type { IIoK8sApiCoreV1Volume } from "kubernetes-models/v1/Volume";
import type { IIoK8sApiNetworkingV1NetworkPolicyPeer } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer";
import type { IIoK8sApiCoreV1LocalObjectReference } from "kubernetes-models/v1/LocalObjectReference";
import { BACKEND_NAMES, type BackendName } from "@prunesweep/proto";

export const CHART_NAME = "prunesweep";
/** Chart version and appVersion (= image tag default); follows the workspace version. */
export const CHART_VERSION = "0.1.0";
/** The official NATS chart, pinned (deploy/README.md, "Upgrades"). */
export const NATS_CHART = { name: "nats", version: "2.14.2", repository: "https://nats-io.github.io/k8s/helm/charts/" } as const;
/** Container user of every image (deploy/docker/*.Dockerfile). */
export const CONTAINER_UID = 10001;

type LogLevel = "debug" | "info" | "warn" | "error" | "silent";
/** A volume source: the Volume type less its name. */
type VolumeSource = Omit<IIoK8sApiCoreV1Volume, "name">;

export interface Values {
  image: {
    /** Registry and prefix: images are `<repository>/<name>:<tag>`. */
    repository: string;
    tag: string;
    pullPolicy: "Always" | "IfNotPresent" | "Never";
    pullSecrets: IIoK8sApiCoreV1LocalObjectReference[];
  };
  auth: {
    /** Bearer token; empty = keep the token of the existing Secret or generate one. */
    token: string;
    /** Use this Secret (key `token`) instead of creating one. */
    existingSecret: string;
  };
  tls: {
    enabled: boolean;
    /** kubernetes.io/tls Secret of the coordinator (tls.crt, tls.key, ca.crt). */
    secretName: string;
    /** Require client certificates (mTLS). */
    mtls: boolean;
    /** kubernetes.io/tls Secret with the workers' client certificate (mTLS). */
    workerSecretName: string;
  };
  natsAuth: {
    /** Secret whose keys become env: NATS_USER + NATS_PASSWORD, or NATS_TOKEN. */
    secretName: string;
    /** Secret with a `nats.creds` key (NATS_CREDS). */
    credsSecretName: string;
  };
  coordinator: {
    grpcPort: number;
    httpPort: number;
    logLevel: LogLevel;
    store: "jetstream" | "memory";
    ackWaitMs: number;
    maxDeliver: number;
    campaignSpec: string;
    terminationGracePeriodSeconds: number;
    resources: IIoK8sApiCoreV1ResourceRequirements;
    nodeSelector: Record<string, string>;
    tolerations: IIoK8sApiCoreV1Toleration[];
    affinity: IIoK8sApiCoreV1Affinity;
    podAnnotations: Record<string, string>;
  };
  worker: {
    variant: "gpu" | "cpu";
    replicas: number;
    heartbeatMs: number;
    shutdownGraceMs: number;
    terminationGracePeriodSeconds: number;
    maxTrials: number;
    logLevel: LogLevel;
    backend: BackendName;
    threads: number;
    nvidiaDriverCapabilities: string;
    resources: IIoK8sApiCoreV1ResourceRequirements;
    nodeSelector: Record<string, string>;
    tolerations: IIoK8sApiCoreV1Toleration[];
    affinity: IIoK8sApiCoreV1Affinity;
    podAnnotations: Record<string, string>;
    cudaCache: { path: string; maxSizeBytes: number; volume: VolumeSource };
    datasets: { existingClaim: string; hostPath: string; mountPath: string };
    autoscaling: {
      kind: "ScaledObject" | "ScaledJob" | "none";
      minReplicas: number;
      maxReplicas: number;
      lagThreshold: number;
      activationLagThreshold: number;
      pollingInterval: number;
      cooldownPeriod: number;
      account: string;
    };
    pdb: { maxUnavailable: number };
  };
  networkPolicy: {
    enabled: boolean;
    operators: IIoK8sApiNetworkingV1NetworkPolicyPeer[];
    kedaNamespace: string;
    metricsFrom: IIoK8sApiNetworkingV1NetworkPolicyPeer[];
  };
  serviceMonitor: { enabled: boolean; interval: string; labels: Record<string, string> };
  nats: {
    enabled: boolean;
    externalUrl: string;
    monitoringEndpoint: string;
    streamReplicas: number;
    config: {
      cluster: { enabled: boolean; replicas: number };
      jetstream: {
        enabled: boolean;
        fileStore: { enabled: boolean; dir: string; pvc: { enabled: boolean; size: string } };
        memoryStore: { enabled: boolean };
      };
      monitor: { enabled: boolean; port: number };
    };
    container: { env: Record<string, string>; merge: { resources: IIoK8sApiCoreV1ResourceRequirements } };
    podTemplate: { topologySpreadConstraints: Record<string, { maxSkew: number; whenUnsatisfiable: string }> };
    podDisruptionBudget: { enabled: boolean };
    natsBox: { enabled: boolean };
  };
}

export const DEFAULT_VALUES: Values = {
  image: { repository: "ghcr.io/prunesweep", tag: CHART_VERSION, pullPolicy: "IfNotPresent", pullSecrets: [] },
  auth: { token: "", existingSecret: "" },
  tls: { enabled: false, secretName: "", mtls: false, workerSecretName: "" },
  natsAuth: { secretName: "", credsSecretName: "" },
  coordinator: {
    grpcPort: 50051,
    httpPort: 8080,
    logLevel: "info",
    store: "jetstream",
    ackWaitMs: 60_000,
    maxDeliver: 20,
    campaignSpec: "",
    terminationGracePeriodSeconds: 30,
    resources: { requests: { cpu: "500m", memory: "512Mi" }, limits: { memory: "2Gi" } },
    nodeSelector: {},
    tolerations: [],
    affinity: {},
    podAnnotations: {},
  },
  worker: {
    variant: "gpu",
    replicas: 1,
    heartbeatMs: 10_000,
    shutdownGraceMs: 30_000,
    terminationGracePeriodSeconds: 60,
    maxTrials: 0,
    logLevel: "info",
    backend: "auto",
    threads: 2,
    nvidiaDriverCapabilities: "compute,utility,graphics",
    resources: { requests: { cpu: "2", memory: "8Gi" }, limits: { memory: "16Gi", "nvidia.com/gpu": 1 } },
    nodeSelector: { "nvidia.com/gpu.present": "true" },
    tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
    affinity: {},
    podAnnotations: {},
    cudaCache: { path: "/var/cache/cuda", maxSizeBytes: 4_294_967_296, volume: { emptyDir: { sizeLimit: "8Gi" } } },
    datasets: { existingClaim: "", hostPath: "", mountPath: "/datasets" },
    autoscaling: {
      kind: "ScaledObject",
      minReplicas: 0,
      maxReplicas: 8,
      lagThreshold: 1,
      activationLagThreshold: 0,
      pollingInterval: 15,
      cooldownPeriod: 600,
      account: "$G",
    },
    pdb: { maxUnavailable: 1 },
  },
  networkPolicy: {
    enabled: true,
    operators: [{ podSelector: { matchLabels: { "prunesweep.io/operator": "true" } } }],
    kedaNamespace: "keda",
    metricsFrom: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }],
  },
  serviceMonitor: { enabled: false, interval: "30s", labels: {} },
  nats: {
    enabled: true,
    externalUrl: "",
    monitoringEndpoint: "",
    streamReplicas: 3,
    config: {
      cluster: { enabled: true, replicas: 3 },
      jetstream: {
        enabled: true,
        fileStore: { enabled: true, dir: "/data", pvc: { enabled: true, size: "10Gi" } },
        memoryStore: { enabled: false },
      },
      monitor: { enabled: true, port: 8222 },
    },
    container: {
      env: { GOMEMLIMIT: "6GiB" },
      merge: { resources: { requests: { cpu: "2", memory: "8Gi" }, limits: { cpu: "2", memory: "8Gi" } } },
    },
    podTemplate: { topologySpreadConstraints: { "kubernetes.io/hostname": { maxSkew: 1, whenUnsatisfiable: "DoNotSchedule" } } },
    podDisruptionBudget: { enabled: true },
    natsBox: { enabled: true },
  },
};

/** Structured values (printed with toYaml in templates). Arrays are always structured. */
export const OPAQUE_PATHS: ReadonlySet<string> = new Set([
  "coordinator.resources",
  "coordinator.nodeSelector",
  "coordinator.affinity",
  "coordinator.podAnnotations",
  "worker.resources",
  "worker.nodeSelector",
  "worker.affinity",
  "worker.podAnnotations",
  "worker.cudaCache.volume",
  "serviceMonitor.labels",
  "nats.container",
  "nats.podTemplate",
]);

/** Paths whose keys belong to the official NATS chart (passed through; no schema of ours). */
export const PASSTHROUGH_PATHS: ReadonlySet<string> = new Set(["nats.config", "nats.container", "nats.podTemplate", "nats.podDisruptionBudget", "nats.natsBox"]);

/** Allowed values of enumerated keys (values.schema.json). */
export const ENUMS: Readonly<Record<string, readonly string[]>> = {
  "image.pullPolicy": ["Always", "IfNotPresent", "Never"],
  "coordinator.logLevel": ["debug", "info", "warn", "error", "silent"],
  "coordinator.store": ["jetstream", "memory"],
  "worker.variant": ["gpu", "cpu"],
  "worker.logLevel": ["debug", "info", "warn", "error", "silent"],
  "worker.backend": BACKEND_NAMES,
  "worker.autoscaling.kind": ["ScaledObject", "ScaledJob", "none"],
};

/** The comment above each key of values.yaml. Every section and leaf has one (tested). */
export const VALUE_DOCS: Readonly<Record<string, string>> = {
  image: "Container images, built from deploy/docker/ (coordinator, worker-gpu, worker-cpu).",
  "image.repository": "Registry and prefix: images are <repository>/prunesweep-<coordinator|worker-gpu|worker-cpu>:<tag>.",
  "image.tag": "Image tag; defaults to the chart's appVersion.",
  "image.pullPolicy": "Always | IfNotPresent | Never.",
  "image.pullSecrets": "imagePullSecrets of every pod, e.g. [{name: regcred}].",
  auth: "Bearer token that workers and operators present to the coordinator's gRPC API.\nMounted as a file: coordinator and workers get --token-file /etc/prunesweep/auth/token (PRUNESWEEP_TOKEN_FILE).",
  "auth.token": "The token. Empty: keep the token of the existing <release>-auth Secret, or generate 48 random characters on install.",
  "auth.existingSecret": "Use this Secret (key `token`) instead of creating <release>-auth.",
  tls: "TLS for the coordinator's gRPC port (--tls-cert/--tls-key/--tls-ca). Kubelet gRPC probes cannot speak TLS:\nwith TLS on, the probes use HTTP /healthz on coordinator.httpPort.",
  "tls.enabled": "Serve gRPC over TLS; workers verify it with ca.crt (--tls-ca).",
  "tls.secretName": "kubernetes.io/tls Secret (tls.crt, tls.key, ca.crt; e.g. from cert-manager). Its certificate must name\n<release>-coordinator.<namespace>.svc, the endpoint workers dial.",
  "tls.mtls": "Require client certificates (coordinator --tls-ca); workers present tls.workerSecretName.",
  "tls.workerSecretName": "kubernetes.io/tls Secret with the workers' client certificate (mTLS only).",
  natsAuth: "Credentials the coordinator and workers present to NATS (env NATS_USER/NATS_PASSWORD, NATS_TOKEN, NATS_CREDS).",
  "natsAuth.secretName": "Secret whose keys become environment variables: NATS_USER and NATS_PASSWORD, or NATS_TOKEN.",
  "natsAuth.credsSecretName": "Secret with a `nats.creds` key, mounted at /etc/prunesweep/nats/nats.creds (NATS_CREDS).",
  coordinator: "The coordinator (`prunesweep coordinator`): one replica; campaign state lives in JetStream.",
  "coordinator.grpcPort": "--port: gRPC for workers and operators (grpc.health.v1.Health for the probes). CLI default 50051.",
  "coordinator.httpPort": "--http-port: dashboard, /metrics, /healthz. CLI default 8080.",
  "coordinator.logLevel": "--log-level: debug | info | warn | error | silent. CLI default info.",
  "coordinator.store": "--store: jetstream (durable; resumes campaigns after a restart) | memory. CLI default jetstream.",
  "coordinator.ackWaitMs": "--ack-wait-ms: lease of one trial delivery; workers extend it with heartbeats (worker.heartbeatMs),\na worker cut off loses its trial after this long and JetStream redelivers it. CLI default 60000.",
  "coordinator.maxDeliver": "--max-deliver: global cap on deliveries of one trial (budget.maxRetries applies below it). CLI default 20.",
  "coordinator.campaignSpec": "A campaign spec (YAML text) submitted at start (--spec); empty: submit with `prunesweep submit`.",
  "coordinator.terminationGracePeriodSeconds": "Time to drain gRPC streams on SIGTERM (the coordinator allows 10 s).",
  "coordinator.resources": "Container resources.",
  "coordinator.nodeSelector": "Node selector.",
  "coordinator.tolerations": "Tolerations.",
  "coordinator.affinity": "Affinity.",
  "coordinator.podAnnotations": "Extra pod annotations.",
  worker: "Workers (`prunesweep worker`): pull trials from the shared durable consumer and train with TensorFlow.js.",
  "worker.variant": "gpu (image prunesweep-worker-gpu: CUDA 11.2 + cuDNN 8, @tensorflow/tfjs-node-gpu) | cpu (prunesweep-worker-cpu).\nWith cpu, also remove the GPU settings (Helm merges maps: set keys to null): resources.limits.nvidia.com/gpu,\nnodeSelector.nvidia.com/gpu.present, and tolerations: [].",
  "worker.replicas": "Replicas when autoscaling.kind is none.",
  "worker.heartbeatMs": "--heartbeat-ms: JetStream working() and gRPC heartbeat period; well under coordinator.ackWaitMs. CLI default 10000.",
  "worker.shutdownGraceMs": "--shutdown-grace-ms: on SIGTERM a running trial may finish within this time, else it is nak'ed and\nredelivered at once. CLI default 30000.",
  "worker.terminationGracePeriodSeconds": "Must exceed shutdownGraceMs / 1000 (checked at install): time to finish or nak the trial and flush acks.",
  "worker.maxTrials": "--max-trials: exit after this many trials (0 = until stopped). ScaledJob pods always run 1. CLI default 0.",
  "worker.logLevel": "--log-level. CLI default info.",
  "worker.backend": "--backend: what a task's `backend: auto` means on these workers. auto walks tensorflow-gpu (tfjs-node-gpu with\na GPU device), webgpu (Dawn on Vulkan), tensorflow-cpu, wasm, cpu and logs why each tier was skipped; or pin one of\ntensorflow | webgpu | wasm | cpu. A task naming a backend explicitly is not affected. CLI default auto.",
  "worker.threads": "PRUNESWEEP_THREADS: threads of the BLAS behind the wasm-blas backend tier (one worker per pod: match\nresources.requests.cpu).",
  "worker.nvidiaDriverCapabilities": "NVIDIA_DRIVER_CAPABILITIES of the worker container. The NVIDIA container toolkit mounts the driver's\nVulkan ICD (nvidia_icd.json and its libraries) only with graphics, and the webgpu backend needs it; compute and\nutility serve CUDA and nvidia-smi.",
  "worker.resources": "Container resources. GPUs go in limits only (nvidia.com/gpu), one per worker.",
  "worker.nodeSelector": "Node selector; nvidia.com/gpu.present is set by GPU Feature Discovery / the GPU Operator.\nPin a model with nvidia.com/gpu.product.",
  "worker.tolerations": "Tolerations; GPU nodes are usually tainted nvidia.com/gpu:NoSchedule.",
  "worker.affinity": "Affinity.",
  "worker.podAnnotations": "Extra pod annotations.",
  "worker.cudaCache": "CUDA's JIT cache (CUDA_CACHE_PATH). TF 2.9 in tfjs-node-gpu has no Hopper (sm_90) kernels: an H100 JIT-compiles\nPTX on first start (minutes to tens of minutes). Keep the cache on a volume that outlives pods (a PVC or hostPath).",
  "worker.cudaCache.path": "Mount path and CUDA_CACHE_PATH.",
  "worker.cudaCache.maxSizeBytes": "CUDA_CACHE_MAXSIZE (4 GiB).",
  "worker.cudaCache.volume": "The volume source, e.g. {persistentVolumeClaim: {claimName: cuda-cache}} (ReadWriteMany) or\n{hostPath: {path: /var/cache/prunesweep-cuda, type: DirectoryOrCreate}} (writable by uid 10001).",
  "worker.datasets":
    "Datasets larger than `prunesweep run`/`submit` upload (1 GiB, README \"Your data\"), mounted read-only in every worker;\nthe spec names their files by path under mountPath. Give one of existingClaim and hostPath; neither: no volume.",
  "worker.datasets.existingClaim": "A PersistentVolumeClaim holding the datasets (ReadOnlyMany or ReadWriteMany).",
  "worker.datasets.hostPath": "A folder on every worker node holding the datasets (readable by uid 10001).",
  "worker.datasets.mountPath": "Where workers see the datasets, e.g. task.dataset: {cifar10: /datasets/cifar-10-batches-bin}.",
  "worker.autoscaling": "KEDA scaling on the nats-jetstream trigger: lag = pending + ack-pending trials of the consumer\nprunesweep-workers on the stream PRUNESWEEP_TRIALS.",
  "worker.autoscaling.kind": "ScaledObject (scales the worker Deployment) | ScaledJob (one Job per trial, --max-trials 1; no busy\npod is ever scaled down) | none (worker.replicas fixed).",
  "worker.autoscaling.minReplicas": "Minimum workers (0 = scale to zero when the queue is empty).",
  "worker.autoscaling.maxReplicas": "Maximum workers (= GPUs you allow the sweep); keep below the consumer's max_ack_pending (1000).",
  "worker.autoscaling.lagThreshold": "Trials per worker: desired workers = ceil(lag / lagThreshold).",
  "worker.autoscaling.activationLagThreshold": "Lag above which scaling from zero starts.",
  "worker.autoscaling.pollingInterval": "Seconds between queue polls.",
  "worker.autoscaling.cooldownPeriod": "Seconds after the last active poll before scaling to zero (ScaledObject).",
  "worker.autoscaling.account": "NATS account of the stream ($G when no accounts are configured).",
  "worker.pdb": "PodDisruptionBudget of the worker Deployment (not used with ScaledJob).",
  "worker.pdb.maxUnavailable": "Workers a node drain may evict at once.",
  networkPolicy: "NetworkPolicies: only workers and operators reach the coordinator; only this release's pods reach NATS.",
  "networkPolicy.enabled": "Create the policies (needs a CNI that enforces them).",
  "networkPolicy.operators": "Peers allowed to the coordinator besides the workers (prunesweep submit, dashboards).",
  "networkPolicy.kedaNamespace": "Namespace of the KEDA operator, allowed to NATS's monitoring port.",
  "networkPolicy.metricsFrom": "Peers allowed to scrape the coordinator's HTTP port and NATS's monitoring port.",
  serviceMonitor: "Prometheus Operator ServiceMonitor for the coordinator's /metrics.",
  "serviceMonitor.enabled": "Create it (needs the monitoring.coreos.com CRDs).",
  "serviceMonitor.interval": "Scrape interval.",
  "serviceMonitor.labels": "Extra labels (e.g. release: kube-prometheus-stack).",
  nats: "NATS JetStream. enabled: install the official NATS chart (dependency) with the settings below; the other keys\nunder nats are that chart's values (https://github.com/nats-io/k8s/tree/main/helm/charts/nats).",
  "nats.enabled": "Install NATS with this release; false: use externalUrl.",
  "nats.externalUrl": "NATS URL when nats.enabled is false (e.g. nats://nats.nats.svc:4222).",
  "nats.monitoringEndpoint": "host:port of the NATS monitoring port for KEDA when nats.enabled is false (a headless service in\na cluster, so KEDA can reach the consumer leader).",
  "nats.streamReplicas": "--nats-replicas of the coordinator and the workers: copies of every JetStream stream, KV bucket and object\nstore prunesweep creates, each on a different server (3: the campaign survives the loss of one server).\nAt most nats.config.cluster.replicas; 1 without a cluster. CLI default 1, which suits a single server.",
  "nats.config": "Server configuration (official chart).",
  "nats.config.cluster": "A JetStream cluster of 3 (R3 streams survive one server).",
  "nats.config.cluster.enabled": "Cluster the servers.",
  "nats.config.cluster.replicas": "Servers (StatefulSet replicas); 3 or 5.",
  "nats.config.jetstream": "JetStream.",
  "nats.config.jetstream.enabled": "Enable JetStream (required).",
  "nats.config.jetstream.fileStore": "File store on a PVC per server.",
  "nats.config.jetstream.fileStore.enabled": "Use the file store.",
  "nats.config.jetstream.fileStore.dir": "Store directory.",
  "nats.config.jetstream.fileStore.pvc": "The PVC.",
  "nats.config.jetstream.fileStore.pvc.enabled": "Create PVCs.",
  "nats.config.jetstream.fileStore.pvc.size": "PVC size: trials are small; 10Gi holds millions of events. Add storageClassName: <class>\nfor a class other than the cluster default.",
  "nats.config.jetstream.memoryStore": "Memory store.",
  "nats.config.jetstream.memoryStore.enabled": "Off: streams are file-backed.",
  "nats.config.monitor": "Monitoring endpoint (/varz, /jsz): KEDA's nats-jetstream scaler reads it.",
  "nats.config.monitor.enabled": "Enable it (required by KEDA).",
  "nats.config.monitor.port": "Port (8222).",
  "nats.container": "NATS container: GOMEMLIMIT about 80% of the memory limit; requests = limits (chart README: at least\n2 CPUs and 8Gi for production JetStream).",
  "nats.podTemplate": "Spread servers over nodes.",
  "nats.podDisruptionBudget": "The chart's PDB: a drain never takes two of three servers.",
  "nats.podDisruptionBudget.enabled": "Create it.",
  "nats.natsBox": "nats-box, a pod with the nats CLI (`kubectl exec deploy/<release>-nats-box -- nats stream ls`).",
  "nats.natsBox.enabled": "Create it.",
};
