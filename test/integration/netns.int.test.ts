/**
 * A campaign across real addresses: nats-server, the coordinator and three workers run as
 * separate processes in separate Linux network namespaces joined by veth pairs on a bridge
 * (itself in a namespace of its own, so the host's network is never touched). Addresses are
 * 10.213.<n>.0/24 and exist only inside these namespaces. Mid-trial, worker w1's cable is
 * pulled (its bridge port set down): its JetStream lease expires (--ack-wait-ms), the trial is
 * redelivered to another worker, and the campaign completes with one final result per trial.
 *
 * Needs root (CAP_SYS_ADMIN + CAP_NET_ADMIN), iproute2 and nats-server; otherwise it is
 * skipped with the reason in its name.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { findNatsServer } from "@prunesweep/coordinator/cli";
import { check } from "../harness/wait.js";
import { explainSkip } from "../harness/requirements.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BIN = join(ROOT, "bin", "prunesweep.mjs");
const PREFIX = "psnt-";
const RUN = `${PREFIX}${process.pid}`;
const SUBNET = `10.213.${process.pid % 250}`;
const ACK_WAIT_MS = 4_000;
const HEARTBEAT_MS = 1_000;

const NODES = {
  nats: { ns: `${RUN}-nats`, ip: `${SUBNET}.1`, port: "p-nats" },
  coord: { ns: `${RUN}-coord`, ip: `${SUBNET}.2`, port: "p-coord" },
  w1: { ns: `${RUN}-w1`, ip: `${SUBNET}.11`, port: "p-w1" },
  w2: { ns: `${RUN}-w2`, ip: `${SUBNET}.12`, port: "p-w2" },
  w3: { ns: `${RUN}-w3`, ip: `${SUBNET}.13`, port: "p-w3" },
} as const;
const SWITCH = `${RUN}-sw`;
const WORKERS = ["w1", "w2", "w3"] as const;

function sh(cmd: string, args: readonly string[]): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 10_000 });
  return { ok: r.status === 0, out: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}` };
}

function ip(...args: string[]): void {
  const r = sh("ip", args);
  if (!r.ok) throw new Error(`ip ${args.join(" ")}: ${r.out.trim()}`);
}

/** Why this machine cannot run the test, or undefined when it can. */
function unsupported(): string | undefined {
  if (process.platform !== "linux") return "network namespaces need Linux";
  if (process.getuid?.() !== 0) return "network namespaces need root (CAP_SYS_ADMIN and CAP_NET_ADMIN)";
  if (!sh("ip", ["-V"]).ok) return "iproute2 (`ip`) is not installed";
  try {
    findNatsServer();
  } catch {
    return "nats-server is not installed (apt-get install -y nats-server, or set NATS_SERVER_BIN)";
  }
  const probe = `${RUN}-probe`;
  const r = sh("ip", ["netns", "add", probe]);
  if (!r.ok) return `cannot create a network namespace: ${r.out.trim()}`;
  const v = sh("ip", ["link", "add", "eth0", "netns", probe, "type", "veth", "peer", "name", "eth1", "netns", probe]);
  sh("ip", ["netns", "del", probe]);
  if (!v.ok) return `cannot create veth pairs: ${v.out.trim()}`;
  return undefined;
}

/** Namespaces left by an earlier run of this test whose process is gone. */
function removeStaleNamespaces(): void {
  const list = sh("ip", ["netns", "list"]).out;
  for (const line of list.split("\n")) {
    const name = line.split(" ")[0] ?? "";
    const m = new RegExp(`^${PREFIX}(\\d+)-`).exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (!alive) sh("ip", ["netns", "del", name]);
  }
}

function buildNetwork(): void {
  ip("netns", "add", SWITCH);
  ip("-n", SWITCH, "link", "set", "lo", "up");
  ip("-n", SWITCH, "link", "add", "br0", "type", "bridge");
  ip("-n", SWITCH, "link", "set", "br0", "up");
  for (const node of Object.values(NODES)) {
    ip("netns", "add", node.ns);
    ip("-n", node.ns, "link", "set", "lo", "up");
    // Created directly inside the namespaces: no interface ever appears on the host.
    ip("link", "add", "eth0", "netns", node.ns, "type", "veth", "peer", "name", node.port, "netns", SWITCH);
    ip("-n", node.ns, "addr", "add", `${node.ip}/24`, "dev", "eth0");
    ip("-n", node.ns, "link", "set", "eth0", "up");
    ip("-n", SWITCH, "link", "set", node.port, "master", "br0");
    ip("-n", SWITCH, "link", "set", node.port, "up");
  }
}

function destroyNetwork(): void {
  for (const ns of [...Object.values(NODES).map((n) => n.ns), SWITCH]) sh("ip", ["netns", "del", ns]);
}

interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  output(): string;
  readonly exited: Promise<unknown>;
}

const procs: Proc[] = [];

function runIn(ns: string, name: string, cmd: string, args: readonly string[]): Proc {
  // `ip netns exec` execs the command: the child's pid is the process itself.
  const child = spawn("ip", ["netns", "exec", ns, cmd, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: process.env });
  let out = "";
  child.stdout?.on("data", (b: Buffer) => (out += b.toString()));
  child.stderr?.on("data", (b: Buffer) => (out += b.toString()));
  const exited = new Promise((res) => child.once("exit", res));
  const p = { name, child, output: () => out, exited };
  procs.push(p);
  return p;
}

async function stopAll(): Promise<void> {
  await Promise.all(
    procs.map(async (p) => {
      if (p.child.exitCode !== null || p.child.signalCode !== null) return;
      const t = setTimeout(() => p.child.kill("SIGKILL"), 3_000);
      p.child.kill("SIGTERM");
      await p.exited;
      clearTimeout(t);
    }),
  );
}

/** Polls the campaign's event log in JetStream (from the NATS namespace) and prints a summary per line. */
const OBSERVER = `
import { CampaignState, JetStreamCampaignStore, connectNats } from "@prunesweep/coordinator";
const [url, campaignId] = process.argv.slice(1);
const nc = await connectNats({ url, name: "netns-observer", connectTimeoutMs: 5000 });
const store = await JetStreamCampaignStore.create(nc);
for (;;) {
  const events = await store.load(campaignId);
  const s = new CampaignState(campaignId);
  for (const e of events) s.apply(e);
  const finals = {};
  for (const e of events) {
    if (e.type === "TrialCreated") finals[e.trialId] ??= 0;
    if (e.type === "TrialCompleted" || (e.type === "TrialFailed" && e.final)) finals[e.trialId] = (finals[e.trialId] ?? 0) + 1;
  }
  const trials = s.snapshots().map((t) => ({ id: t.id, state: t.state, workerId: t.workerId, attempts: t.attempts, steps: t.progress.length, error: t.error }));
  process.stdout.write(JSON.stringify({ status: s.status, trials, finals }) + "\\n");
  if (s.status !== "running") break;
  await new Promise((r) => setTimeout(r, 400));
}
await nc.close();
`;

interface Summary {
  status: string;
  trials: { id: string; state: string; workerId?: string; attempts: number; steps: number; error?: string }[];
  finals: Record<string, number>;
}

function latest(observer: Proc): Summary | undefined {
  const lines = observer.output().trim().split("\n").filter((l) => l.startsWith("{"));
  const last = lines[lines.length - 1];
  return last ? (JSON.parse(last) as Summary) : undefined;
}

/** Trials of a few seconds each (synthetic data, tiny MLP), so a worker can be cut mid-trial. */
const SPEC = `
name: netns-campaign
seed: 13
task:
  dataset: { synthetic: { samples: 2400, features: 32, classes: 4 } }
  model: mlp
  modelOptions: { hidden: [96, 48] }
  pretrain: { epochs: 2, optimizer: adam, learningRate: 0.01, batchSize: 32 }
  backend: auto
objectives:
  - { metric: accuracy, direction: maximize }
  - { metric: nonzero_params, direction: minimize }
space:
  sparsity: { min: 0.3, max: 0.95 }
  finetune.epochs: 6
sampler: { name: random }
budget:
  maxTrials: 6
  parallelism: 3
  maxRetries: 4
`;

const reason = explainSkip("netns.int.test.ts", unsupported());
const dir = mkdtempSync(join(tmpdir(), "prunesweep-netns-"));
let built = false;

afterAll(async () => {
  await stopAll();
  if (built) destroyNetwork();
  rmSync(dir, { recursive: true, force: true });
});

describe("a campaign across network namespaces (real addresses, a worker cut off mid-trial)", () => {
  it.skipIf(reason !== undefined)(
    `redelivers the cut-off worker's trial and records every trial once${reason ? ` — skipped: ${reason}` : ""}`,
    async () => {
      removeStaleNamespaces();
      built = true;
      buildNetwork();
      const natsUrl = `nats://${NODES.nats.ip}:4222`;

      const nats = runIn(NODES.nats.ns, "nats-server", findNatsServer(), ["-js", "-a", NODES.nats.ip, "-p", "4222", "-sd", join(dir, "nats")]);
      await check(() => nats.output().includes("Server is ready") || nats.child.exitCode !== null, 15_000);
      expect(nats.child.exitCode, nats.output()).toBeNull();

      const specFile = join(dir, "spec.yaml");
      writeFileSync(specFile, SPEC);
      const coordEndpoint = `${NODES.coord.ip}:50051`;
      const coordinator = runIn(NODES.coord.ns, "coordinator", process.execPath, [
        BIN,
        "coordinator",
        "--nats",
        natsUrl,
        "--host",
        NODES.coord.ip,
        "--port",
        "50051",
        "--advertise",
        coordEndpoint,
        "--http-port",
        "-1",
        "--ack-wait-ms",
        String(ACK_WAIT_MS),
        "--spec",
        specFile,
        "--log-level",
        "warn",
      ]);
      const submitted = await check(() => /submitted campaign (\S+)/.exec(coordinator.output()) ?? (coordinator.child.exitCode !== null ? ["", ""] : null), 30_000);
      const campaignId = submitted[1];
      expect(campaignId, coordinator.output()).toBeTruthy();
      expect(coordinator.output()).toContain(`advertised as ${coordEndpoint}`);

      for (const w of WORKERS) {
        runIn(NODES[w].ns, w, process.execPath, [BIN, "worker", "--nats", natsUrl, "--worker-id", w, "--heartbeat-ms", String(HEARTBEAT_MS), "--log-level", "warn"]);
      }
      const observer = runIn(NODES.nats.ns, "observer", process.execPath, ["--input-type=module", "-e", OBSERVER, natsUrl, campaignId!]);

      // w1 is mid-trial: started and reported progress over the network.
      // Deadlines below are for liveness only (a loaded 2-core machine runs these 7 processes
      // several times slower than an idle one); the timing claim is the ack-wait check at the end.
      const victim = await check(() => latest(observer)?.trials.find((t) => t.state === "running" && t.workerId === "w1" && t.steps > 0), 120_000, 100).catch(
        (err: unknown) => {
          throw new Error(`${String(err)}\n${procs.map((p) => `--- ${p.name}\n${p.output().slice(-2000)}`).join("\n")}`);
        },
      );

      // Pull w1's cable at the switch.
      ip("-n", SWITCH, "link", "set", NODES.w1.port, "down");
      const cutAt = Date.now();

      const done = await check(() => {
        const s = latest(observer);
        return s && s.status !== "running" ? s : undefined;
      }, 180_000, 200).catch((err: unknown) => {
        throw new Error(`${String(err)}\n${JSON.stringify(latest(observer))}\n${procs.map((p) => `--- ${p.name}\n${p.output().slice(-2000)}`).join("\n")}`);
      });

      expect(done.status).toBe("completed");
      expect(done.trials).toHaveLength(6);
      for (const t of done.trials) expect(t.state, `${t.id}: ${t.error ?? ""}`).toBe("completed");
      for (const [id, n] of Object.entries(done.finals)) expect(n, `final results of ${id}`).toBe(1);
      const redelivered = done.trials.find((t) => t.id === victim.id)!;
      expect(redelivered.attempts).toBeGreaterThanOrEqual(2);
      expect(redelivered.workerId).not.toBe("w1");
      // Redelivery waited for the lease to expire: ack wait after the last working() the cut
      // worker sent, which was at most one heartbeat before the cut.
      expect(Date.now() - cutAt).toBeGreaterThanOrEqual(ACK_WAIT_MS - HEARTBEAT_MS);
    },
    300_000,
  );
});
