/**
 * The deployment agrees with the code it runs: CLI flags and defaults, NATS names from
 * @prunesweep/proto, ports, image names and the Dockerfiles.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { BACKEND_NAMES, DEFAULT_NATS_REPLICAS, TRIALS_CONSUMER, TRIALS_STREAM, TRIALS_SUBJECT_PREFIX } from "@prunesweep/proto";
import { DEFAULT_TRIAL_QUEUE_OPTIONS, loadCoordinatorConfig } from "@prunesweep/coordinator";
import { buildProgram } from "@prunesweep/coordinator/cli";
import { DEFAULT_WORKER_CONFIG, loadWorkerConfig, WORKER_USAGE, type WorkerFlags } from "@prunesweep/worker";
import { CHART_DIR, MANIFESTS_DIR, renderObjects } from "../src/chart.js";
import { IMAGE_COMPONENTS, PATHS } from "../src/objects.js";
import { CONTAINER_UID, DEFAULT_VALUES } from "../src/values.js";
import { VARIANTS } from "./support/variants.js";

const DEPLOY_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const manifests = new Map<string, Obj>(
  readdirSync(join(DEPLOY_DIR, MANIFESTS_DIR)).map((f) => [f.replace(/\.yaml$/, ""), parse(readFileSync(join(DEPLOY_DIR, MANIFESTS_DIR, f), "utf8")) as Obj]),
);
const m = (file: string): Obj => {
  const o = manifests.get(file);
  if (!o) throw new Error(`no manifest ${file}`);
  return o;
};
const podSpec = (file: string): Obj => m(file)["spec"]["template"]["spec"];
const container = (file: string): Obj => podSpec(file)["containers"][0];
const valuesYaml = parse(readFileSync(join(DEPLOY_DIR, CHART_DIR, "values.yaml"), "utf8")) as Obj;

/** `--a-b=c` args to { aB: "c" } (commander's and the worker's naming). */
function flagsOf(args: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    args
      .filter((a) => a.startsWith("--"))
      .map((a) => {
        const [k, ...rest] = a.slice(2).split("=");
        return [k!.replace(/-([a-z])/g, (_s, c: string) => c.toUpperCase()), rest.join("=")];
      }),
  );
}

describe("the coordinator's manifests and its CLI", () => {
  const args = container("coordinator-deployment")["args"] as string[];

  it("runs the `coordinator` command with flags the CLI accepts", () => {
    expect(args[0]).toBe("coordinator");
    const cmd = buildProgram({ command: process.execPath, args: [] }).commands.find((c) => c.name() === "coordinator")!;
    const known = new Set(cmd.options.map((o) => o.long));
    expect(args.slice(1).map((a) => a.split("=")[0]!).filter((f) => !known.has(f))).toEqual([]);
    const { unknown, operands } = cmd.parseOptions(args.slice(1));
    expect([...unknown, ...operands]).toEqual([]);
  });

  it("configures the coordinator as the values say (loadCoordinatorConfig on the manifest's args and env)", () => {
    const cm = m("config")["data"] as Record<string, string>;
    const cfg = loadCoordinatorConfig(flagsOf(args), { NATS_URL: cm["NATS_URL"] }, (p) => {
      expect(p).toBe(PATHS.token);
      return "the-token\n";
    });
    expect(cfg.port).toBe(50051);
    expect(cfg.httpPort).toBe(8080);
    expect(cfg.host).toBe("0.0.0.0");
    expect(cfg.advertise).toBe("prunesweep-coordinator.prunesweep.svc:50051");
    expect(cfg.store).toBe("jetstream");
    expect(cfg.authToken).toBe("the-token");
    expect(cfg.nats.url).toBe("nats://prunesweep-nats.prunesweep.svc:4222");
    expect(cfg.queue.ackWaitMs).toBe(DEFAULT_VALUES.coordinator.ackWaitMs);
    expect(cfg.queue.maxDeliver).toBe(DEFAULT_VALUES.coordinator.maxDeliver);
    expect(cfg.queue.replicas).toBe(DEFAULT_VALUES.nats.streamReplicas);
    expect(cfg.logLevel).toBe(DEFAULT_VALUES.coordinator.logLevel);
  });

  it("values.yaml has the CLI's defaults (the stream replicas excepted: 3 servers)", () => {
    const d = loadCoordinatorConfig({}, {});
    expect(valuesYaml["coordinator"]["grpcPort"]).toBe(d.port);
    expect(valuesYaml["coordinator"]["grpcPort"]).toBe(50051);
    expect(valuesYaml["coordinator"]["httpPort"]).toBe(d.httpPort);
    expect(valuesYaml["coordinator"]["store"]).toBe(d.store);
    expect(valuesYaml["coordinator"]["logLevel"]).toBe(d.logLevel);
    expect(valuesYaml["coordinator"]["ackWaitMs"]).toBe(DEFAULT_TRIAL_QUEUE_OPTIONS.ackWaitMs);
    expect(valuesYaml["coordinator"]["maxDeliver"]).toBe(DEFAULT_TRIAL_QUEUE_OPTIONS.maxDeliver);
    expect(d.queue.replicas).toBe(DEFAULT_NATS_REPLICAS);
    // KEDA scales up to maxReplicas workers; each holds one unacked trial.
    expect(DEFAULT_VALUES.worker.autoscaling.maxReplicas).toBeLessThan(DEFAULT_TRIAL_QUEUE_OPTIONS.maxAckPending);
  });

  it("exposes gRPC and HTTP on the same ports in the container, the Service and the probes", () => {
    const c = container("coordinator-deployment");
    expect(c["ports"]).toEqual([
      { name: "grpc", containerPort: 50051, protocol: "TCP" },
      { name: "http", containerPort: 8080, protocol: "TCP" },
    ]);
    expect(m("coordinator-service")["spec"]["ports"].map((p: Obj) => [p["name"], p["port"], p["targetPort"]])).toEqual([
      ["grpc", 50051, "grpc"],
      ["http", 8080, "http"],
    ]);
    for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"]) expect(c[probe]["grpc"]).toEqual({ port: 50051, service: "" });
  });

  it("uses HTTP /healthz probes when gRPC is TLS (kubelet gRPC probes cannot speak TLS)", () => {
    const tls = VARIANTS.find((v) => v.values.tls.enabled)!;
    const d = renderObjects(tls.values, tls.release).find((r) => r.file === "coordinator-deployment")!.object as Obj;
    expect(d["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["httpGet"]).toEqual({ path: "/healthz", port: "http" });
  });
});

describe("the workers' manifests and their CLI", () => {
  const args = container("worker-deployment")["args"] as string[];
  const env = container("worker-deployment")["env"] as Obj[];

  it("runs the `worker` command with flags the CLI accepts", () => {
    expect(args[0]).toBe("worker");
    const known = new Set([...WORKER_USAGE.matchAll(/--[a-z-]+/g)].map((x) => x[0]));
    expect(args.slice(1).map((a) => a.split("=")[0]!).filter((f) => !known.has(f))).toEqual([]);
  });

  it("configures the worker as the values say (loadWorkerConfig on the manifest's args and env)", () => {
    const cfg = loadWorkerConfig(flagsOf(args.slice(1)) as WorkerFlags, { NATS_URL: "nats://n:4222", PRUNESWEEP_WORKER_ID: "pod-1" }, () => "tok");
    expect(cfg.heartbeatIntervalMs).toBe(DEFAULT_VALUES.worker.heartbeatMs);
    expect(cfg.shutdownGraceMs).toBe(DEFAULT_VALUES.worker.shutdownGraceMs);
    expect(cfg.maxTrials).toBe(0);
    expect(cfg.authToken).toBe("tok");
    expect(cfg.nats.url).toBe("nats://n:4222");
    expect(cfg.workerId).toBe("pod-1");
    expect(cfg.backend).toBe(DEFAULT_VALUES.worker.backend);
    expect(env.map((e) => e["name"])).toEqual(expect.arrayContaining(["NATS_URL", "PRUNESWEEP_WORKER_ID", "TF_FORCE_GPU_ALLOW_GROWTH", "CUDA_CACHE_PATH"]));
  });

  it("values.yaml has the worker CLI's defaults", () => {
    expect(valuesYaml["worker"]["heartbeatMs"]).toBe(DEFAULT_WORKER_CONFIG.heartbeatIntervalMs);
    expect(valuesYaml["worker"]["shutdownGraceMs"]).toBe(DEFAULT_WORKER_CONFIG.shutdownGraceMs);
    expect(valuesYaml["worker"]["maxTrials"]).toBe(DEFAULT_WORKER_CONFIG.maxTrials);
    expect(valuesYaml["worker"]["logLevel"]).toBe(DEFAULT_WORKER_CONFIG.logLevel);
    expect(valuesYaml["worker"]["backend"]).toBe(DEFAULT_WORKER_CONFIG.backend);
  });

  it("offers every backend name of the shared list as worker.backend, and each reaches the worker's config", () => {
    const schema = JSON.parse(readFileSync(join(DEPLOY_DIR, CHART_DIR, "values.schema.json"), "utf8")) as Obj;
    expect(schema["properties"]["worker"]["properties"]["backend"]["enum"]).toEqual([...BACKEND_NAMES]);
    for (const name of BACKEND_NAMES) expect(loadWorkerConfig({ backend: name }, {}).backend).toBe(name);
  });

  it("GPU worker pods (Deployment and ScaledJob) ask the NVIDIA toolkit for graphics, which mounts the Vulkan ICD webgpu needs", () => {
    const caps = (c: Obj): string => (c["env"] as Obj[]).find((e) => e["name"] === "NVIDIA_DRIVER_CAPABILITIES")?.["value"];
    expect(caps(container("worker-deployment")).split(",")).toEqual(expect.arrayContaining(["compute", "utility", "graphics"]));
    const v = VARIANTS.find((x) => x.values.worker.autoscaling.kind === "ScaledJob")!;
    const job = renderObjects(v.values, v.release).find((r) => r.file === "worker-scaledjob")!.object as Obj;
    expect(caps(job["spec"]["jobTargetRef"]["template"]["spec"]["containers"][0]).split(",")).toContain("graphics");
  });

  it("gives workers longer than the drain grace to stop, and GPUs, tolerations and a node selector", () => {
    const spec = podSpec("worker-deployment");
    expect(spec["terminationGracePeriodSeconds"] * 1000).toBeGreaterThan(DEFAULT_WORKER_CONFIG.shutdownGraceMs);
    expect(container("worker-deployment")["resources"]["limits"]["nvidia.com/gpu"]).toBe(1);
    expect(spec["tolerations"]).toContainEqual({ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" });
    expect(spec["nodeSelector"]).toEqual({ "nvidia.com/gpu.present": "true" });
    expect(container("worker-deployment")["env"]).toContainEqual({ name: "TF_FORCE_GPU_ALLOW_GROWTH", value: "true" });
  });

  it("ScaledJob workers run one trial per pod, ignore evictions, and are not retried by the Job", () => {
    const v = VARIANTS.find((x) => x.values.worker.autoscaling.kind === "ScaledJob")!;
    const job = renderObjects(v.values, v.release).find((r) => r.file === "worker-scaledjob")!.object as Obj;
    const jt = job["spec"]["jobTargetRef"];
    expect(jt["template"]["spec"]["containers"][0]["args"]).toContain("--max-trials=1");
    expect(jt["template"]["spec"]["restartPolicy"]).toBe("Never");
    expect(jt["backoffLimit"]).toBe(0);
    expect(jt["podFailurePolicy"]["rules"][0]).toEqual({ action: "Ignore", onPodConditions: [{ type: "DisruptionTarget" }] });
  });
});

describe("NATS and KEDA", () => {
  it("scales on the trial stream's shared durable consumer (names from @prunesweep/proto)", () => {
    const trigger = m("worker-scaledobject")["spec"]["triggers"][0];
    expect(trigger["type"]).toBe("nats-jetstream");
    expect(trigger["metadata"]["stream"]).toBe(TRIALS_STREAM);
    expect(trigger["metadata"]["consumer"]).toBe(TRIALS_CONSUMER);
    expect(TRIALS_STREAM).toBe("PRUNESWEEP_TRIALS");
    expect(TRIALS_CONSUMER).toBe("prunesweep-workers");
    expect(TRIALS_SUBJECT_PREFIX.startsWith("prunesweep.")).toBe(true);
    expect(trigger["metadata"]["lagThreshold"]).toBe(String(DEFAULT_VALUES.worker.autoscaling.lagThreshold));
    // The NATS chart's headless service, on its monitoring port, so KEDA finds the consumer leader.
    expect(trigger["metadata"]["natsServerMonitoringEndpoint"]).toBe(`prunesweep-nats-headless.prunesweep.svc.cluster.local:${valuesYaml["nats"]["config"]["monitor"]["port"]}`);
    expect(m("worker-scaledobject")["spec"]["scaleTargetRef"]["name"]).toBe(m("worker-deployment")["metadata"]["name"]);
  });

  it("installs a 3-node JetStream cluster with file storage on PVCs and monitoring on 8222", () => {
    const nats = valuesYaml["nats"];
    expect(nats["enabled"]).toBe(true);
    expect(nats["config"]["cluster"]).toEqual({ enabled: true, replicas: 3 });
    expect(nats["config"]["jetstream"]["enabled"]).toBe(true);
    expect(nats["config"]["jetstream"]["fileStore"]["pvc"]["enabled"]).toBe(true);
    expect(nats["config"]["monitor"]).toEqual({ enabled: true, port: 8222 });
    expect(nats["podDisruptionBudget"]["enabled"]).toBe(true);
  });

  it("defaults to one topology: 3 JetStream servers with file storage, and 3 replicas in the coordinator's and every worker's config", () => {
    const nats = valuesYaml["nats"];
    const servers = nats["config"]["cluster"]["replicas"] as number;
    expect(nats["config"]["cluster"]["enabled"]).toBe(true);
    expect(servers).toBe(3);
    expect(nats["config"]["jetstream"]["fileStore"]["enabled"]).toBe(true);
    expect(nats["config"]["jetstream"]["memoryStore"]["enabled"]).toBe(false);
    expect(nats["streamReplicas"]).toBe(servers);
    // What the processes are started with, read by their own config loaders.
    const coordinatorArgs = container("coordinator-deployment")["args"] as string[];
    expect(loadCoordinatorConfig(flagsOf(coordinatorArgs), {}, () => "t").queue.replicas).toBe(servers);
    const scaledJob = VARIANTS.find((x) => x.values.worker.autoscaling.kind === "ScaledJob")!;
    const jobContainer = (renderObjects(scaledJob.values, scaledJob.release).find((r) => r.file === "worker-scaledjob")!.object as Obj)["spec"]["jobTargetRef"]["template"]["spec"]["containers"][0];
    for (const workerArgs of [container("worker-deployment")["args"] as string[], jobContainer["args"] as string[]]) {
      expect(loadWorkerConfig(flagsOf(workerArgs.slice(1)) as WorkerFlags, {}, () => "t").natsReplicas).toBe(servers);
    }
    // The CLI's own default suits one server; the chart sets the flag explicitly.
    expect(DEFAULT_NATS_REPLICAS).toBe(1);
    expect(loadWorkerConfig({}, {}).natsReplicas).toBe(DEFAULT_NATS_REPLICAS);
  });

  it("admits only workers and operators to the coordinator, and only the release (plus KEDA on 8222) to NATS", () => {
    const coord = m("coordinator-networkpolicy")["spec"];
    expect(coord["podSelector"]["matchLabels"]["app.kubernetes.io/component"]).toBe("coordinator");
    expect(coord["ingress"][0]["from"]).toEqual([{ podSelector: { matchLabels: podSelectorOf("worker-deployment") } }]);
    expect(coord["ingress"][1]["from"]).toEqual(DEFAULT_VALUES.networkPolicy.operators);
    const nats = m("nats-networkpolicy")["spec"];
    expect(nats["podSelector"]["matchLabels"]).toEqual({ "app.kubernetes.io/name": "nats", "app.kubernetes.io/instance": "prunesweep", "app.kubernetes.io/component": "nats" });
    expect(nats["ingress"][0]).toEqual({ from: [{ podSelector: { matchLabels: { "app.kubernetes.io/instance": "prunesweep" } } }] });
    expect(nats["ingress"][1]["ports"]).toEqual([{ port: 8222, protocol: "TCP" }]);
  });
});

function podSelectorOf(file: string): Obj {
  return m(file)["spec"]["selector"]["matchLabels"];
}

describe("images and Dockerfiles", () => {
  const dockerfile = (c: string): string => readFileSync(join(DEPLOY_DIR, "docker", `${c}.Dockerfile`), "utf8");

  it("every image the chart names has a Dockerfile, and the names agree", () => {
    const images = new Set<string>();
    for (const v of VARIANTS)
      for (const r of renderObjects(v.values, v.release)) {
        const text = JSON.stringify(r.object);
        for (const x of text.matchAll(/"image":"([^"]+)"/g)) images.add(x[1]!);
      }
    expect([...images].sort()).toEqual(
      ["coordinator", "worker-cpu", "worker-gpu"].map((c) => `${DEFAULT_VALUES.image.repository}/prunesweep-${c}:${DEFAULT_VALUES.image.tag}`),
    );
    for (const c of IMAGE_COMPONENTS) expect(dockerfile(c)).toContain(`prunesweep-${c}:`);
  });

  it.each(IMAGE_COMPONENTS.map((c) => [c]))("%s: multi-stage, npm ci + build + prune, non-root, tini as PID 1, node runs the entry", (c) => {
    const text = dockerfile(c);
    expect(text.match(/^FROM /gm)!.length).toBeGreaterThanOrEqual(2);
    expect(text).toMatch(/npm ci/);
    expect(text).toMatch(/npm run build && npm prune --omit=dev/);
    expect(text).toContain(`USER ${CONTAINER_UID}:${CONTAINER_UID}`);
    expect(text).toContain(`useradd --uid ${CONTAINER_UID}`);
    expect(text).toContain('ENTRYPOINT ["/usr/bin/tini", "--", "node", "bin/prunesweep.mjs"]');
    expect(text).not.toMatch(/npm (run )?start/);
    const lastStage = text.slice(text.lastIndexOf("\nFROM "));
    expect(lastStage).not.toMatch(/^RUN npm /m);
    expect(readFileSync(join(DEPLOY_DIR, "docker", `${c}.Dockerfile.dockerignore`), "utf8")).toMatch(/^\*\*\/node_modules$/m);
  });

  it.each(IMAGE_COMPONENTS.map((c) => [c]))("%s: the root prepare script is in the build context before the first npm ci", (c) => {
    // `npm ci` runs the root `prepare` script; a script file not yet copied would fail the build.
    const pkg = JSON.parse(readFileSync(join(DEPLOY_DIR, "..", "package.json"), "utf8")) as { scripts: Record<string, string> };
    const script = /^node (\S+)$/.exec(pkg.scripts["prepare"] ?? "")?.[1];
    expect(script, `prepare is "node <file>": ${pkg.scripts["prepare"]}`).toBeDefined();
    const text = dockerfile(c);
    const copied = text.search(new RegExp(`^COPY ${script!.replace(/[.]/g, "\\.")} `, "m"));
    const firstCi = text.search(/^RUN .*npm ci/m);
    expect(copied, `${c}.Dockerfile copies ${script}`).toBeGreaterThan(0);
    expect(copied).toBeLessThan(firstCi);
  });

  it("the coordinator image is node:22-slim and exposes the chart's ports", () => {
    const text = dockerfile("coordinator");
    expect(text).toContain("ARG NODE_IMAGE=node:22-slim");
    expect(text).toContain(`EXPOSE ${DEFAULT_VALUES.coordinator.grpcPort} ${DEFAULT_VALUES.coordinator.httpPort}`);
    expect(text).toMatch(/CMD \["coordinator"/);
  });

  it("the GPU image is a CUDA 11.2 + cuDNN 8 runtime with tfjs-node-gpu and memory growth on", () => {
    const text = dockerfile("worker-gpu");
    expect(text).toMatch(/ARG CUDA_IMAGE=nvidia\/cuda:11\.2\.\d+-cudnn8-runtime-/);
    expect(text).toContain("TF_FORCE_GPU_ALLOW_GROWTH=true");
    expect(text).toContain(`CUDA_CACHE_PATH=${DEFAULT_VALUES.worker.cudaCache.path}`);
    expect(text).toContain("require.resolve('@tensorflow/tfjs-node-gpu')");
    expect(dockerfile("worker-cpu")).toContain("require.resolve('@tensorflow/tfjs-node')");
  });

  it("the GPU image has what the webgpu backend needs: its packages, the Vulkan loader, graphics capability", () => {
    const text = dockerfile("worker-gpu");
    expect(text).toContain("require.resolve('webgpu'); require.resolve('@tensorflow/tfjs-backend-webgpu')");
    const runtime = text.slice(text.lastIndexOf("\nFROM "));
    expect(runtime).toMatch(/apt-get install -y --no-install-recommends [^\n]*\blibvulkan1\b/);
    const caps = /NVIDIA_DRIVER_CAPABILITIES=(\S+)/.exec(runtime)?.[1] ?? "";
    expect(caps.split(",")).toEqual(expect.arrayContaining(["compute", "utility", "graphics"]));
    expect(caps).toBe(DEFAULT_VALUES.worker.nvidiaDriverCapabilities);
  });

  it("the workers' packages pin the tfjs version the GPU image is built for", () => {
    const pkg = JSON.parse(readFileSync(join(DEPLOY_DIR, "..", "worker", "package.json"), "utf8")) as { optionalDependencies: Record<string, string> };
    expect(pkg.optionalDependencies["@tensorflow/tfjs-node-gpu"]).toBe("4.22.0");
    expect(pkg.optionalDependencies["@tensorflow/tfjs-backend-webgpu"]).toBe("4.22.0");
  });
});
