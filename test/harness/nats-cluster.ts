/**
 * A JetStream cluster of real nats-server processes on 127.0.0.1 for fault tests: each node
 * has its own temp store, client port, route port and monitoring port (random free ports),
 * and routes to every node. A node can be killed and restarted with the same store and the
 * same cluster configuration.
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { jetstreamManager, type ConsumerInfo, type StreamInfo } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { freePort, startNatsServer, type LocalNatsServer } from "@prunesweep/coordinator/cli";
import { check } from "./wait.js";

/** One server of the cluster; `name` is its server_name (what JetStream reports as leader). */
export interface ClusterNode {
  readonly name: string;
  readonly server: LocalNatsServer;
  /** HTTP monitoring port (/jsz, /routez). */
  readonly monitorPort: number;
}

/** The parts of /jsz a test reads. */
export interface Jsz {
  readonly meta_cluster?: { readonly name?: string; readonly leader?: string; readonly cluster_size?: number };
}

const CLUSTER_NAME = "prunesweep-test";
/** Attempts at starting the cluster: a port taken between freePort() and the bind means new ports. */
const START_ATTEMPTS = 3;

export class NatsCluster {
  private readonly down = new Set<string>();

  private constructor(
    readonly dir: string,
    readonly nodes: readonly ClusterNode[],
  ) {}

  /** Starts `size` nodes under `dir` and waits until JetStream has a meta leader (see {@link waitReady}). */
  static async start(dir: string, size = 3): Promise<NatsCluster> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      const ports = await Promise.all(Array.from({ length: size }, async () => ({ client: await freePort(), route: await freePort(), monitor: await freePort() })));
      const routes = ports.map((p) => `nats://127.0.0.1:${p.route}`).join(",");
      const started = await Promise.allSettled(
        ports.map(async (p, i) => {
          const name = `n${i + 1}`;
          const storeDir = join(dir, `attempt-${attempt}`, name);
          mkdirSync(storeDir, { recursive: true });
          const server = await startNatsServer({
            storeDir,
            port: p.client,
            args: ["--server_name", name, "--cluster_name", CLUSTER_NAME, "--cluster", `nats://127.0.0.1:${p.route}`, "--routes", routes, "-m", String(p.monitor)],
          });
          return { name, server, monitorPort: p.monitor };
        }),
      );
      const nodes = started.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
      if (nodes.length === size) {
        const cluster = new NatsCluster(dir, nodes);
        await cluster.waitReady();
        return cluster;
      }
      lastError = started.find((r) => r.status === "rejected")?.reason;
      await Promise.all(nodes.map((n) => n.server.stop()));
    }
    throw new Error(`could not start a ${size}-node NATS cluster in ${START_ATTEMPTS} attempts: ${String(lastError)}`);
  }

  /** The client URLs of every node. */
  get urls(): string[] {
    return this.nodes.map((n) => n.server.url);
  }

  /** The `--nats` value naming every node (comma-separated). */
  get url(): string {
    return this.urls.join(",");
  }

  node(name: string): ClusterNode {
    const n = this.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no node ${name} in ${this.nodes.map((x) => x.name).join(", ")}`);
    return n;
  }

  /** The nodes that are not killed. */
  running(): ClusterNode[] {
    return this.nodes.filter((n) => !this.down.has(n.name));
  }

  /** GET /jsz of a node's monitoring port. */
  async jsz(node: ClusterNode): Promise<Jsz> {
    const r = await fetch(`http://127.0.0.1:${node.monitorPort}/jsz`, { signal: AbortSignal.timeout(5_000) });
    return (await r.json()) as Jsz;
  }

  /**
   * Waits until every running node reports the same JetStream meta leader, itself a running
   * node, for a cluster of the full size, and the JetStream API answers; returns the leader.
   */
  async waitReady(timeoutMs = 60_000): Promise<string> {
    const leader = await check(async () => {
      const metas = await Promise.all(this.running().map(async (n) => (await this.jsz(n)).meta_cluster));
      const leaders = new Set(metas.map((m) => m?.leader ?? ""));
      const [only] = [...leaders];
      const sized = metas.every((m) => m?.cluster_size === this.nodes.length);
      return leaders.size === 1 && only && sized && this.running().some((n) => n.name === only) ? only : undefined;
    }, timeoutMs, 200);
    await this.withConnection(async (nc) => {
      const jsm = await jetstreamManager(nc);
      await check(() => jsm.getAccountInfo(), timeoutMs, 200);
    });
    return leader;
  }

  /**
   * Stream info (leader, replicas and their state) asked through the running nodes; retried for
   * up to 30 s, since a JetStream API call can time out while leaders are being elected.
   */
  async streamInfo(stream: string): Promise<StreamInfo> {
    return check(() => this.streamInfoOnce(stream), 30_000, 200);
  }

  /** Consumer info (its own leader and replicas), retried like {@link streamInfo}. */
  async consumerInfo(stream: string, consumer: string): Promise<ConsumerInfo> {
    return check(() => this.withConnection(async (nc) => (await jetstreamManager(nc)).consumers.info(stream, consumer)), 30_000, 200);
  }

  private async streamInfoOnce(stream: string): Promise<StreamInfo> {
    return this.withConnection(async (nc) => (await jetstreamManager(nc)).streams.info(stream));
  }

  /**
   * Waits until `stream` has a leader and every replica is current (caught up), e.g. after a
   * restarted node rejoined; returns the info.
   */
  async waitStreamCurrent(stream: string, timeoutMs = 120_000): Promise<StreamInfo> {
    return check(async () => {
      const si = await this.streamInfoOnce(stream);
      const replicas = si.cluster?.replicas ?? [];
      const ok = si.cluster?.leader && replicas.length === si.config.num_replicas - 1 && replicas.every((r) => r.current && !r.offline);
      return ok ? si : undefined;
    }, timeoutMs, 250);
  }

  /**
   * Makes `node` the leader of `stream`: asks the current leader to step down (JetStream API
   * `STREAM.LEADER.STEPDOWN`) until the election picks `node`. nats-server 2.9 cannot name the
   * successor, so this repeats; each round elects one of the other replicas.
   */
  async moveStreamLeader(stream: string, node: string, attempts = 12): Promise<void> {
    for (let i = 0; i < attempts; i++) {
      const before = (await this.waitStreamCurrent(stream)).cluster?.leader;
      if (before === node) return;
      // A request or an election that times out is simply tried again by the next round.
      await this.withConnection((nc) => nc.request(`$JS.API.STREAM.LEADER.STEPDOWN.${stream}`, undefined, { timeout: 5_000 })).catch(() => undefined);
      await check(async () => {
        const l = (await this.streamInfoOnce(stream)).cluster?.leader;
        return l && l !== before;
      }, 15_000, 100).catch(() => undefined);
    }
    throw new Error(`${node} did not become the leader of ${stream} in ${attempts} step-downs`);
  }

  /** Kills a node (SIGKILL by default): no shutdown, no goodbye to its routes. */
  async kill(name: string, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const n = this.node(name);
    const exited = new Promise<void>((r) => {
      if (n.server.process.exitCode !== null || n.server.process.signalCode !== null) r();
      else n.server.process.once("exit", () => r());
    });
    this.down.add(name);
    n.server.kill(signal);
    await exited;
  }

  /** Starts a killed node again: same ports, same store directory, same routes. */
  async restart(name: string): Promise<void> {
    await this.node(name).server.restart();
    this.down.delete(name);
  }

  /** A short-lived connection to every running node's URL. */
  async withConnection<T>(fn: (nc: NatsConnection) => Promise<T>): Promise<T> {
    const nc = await connect({ servers: this.running().map((n) => n.server.url), timeout: 5_000 });
    try {
      return await fn(nc);
    } finally {
      await nc.close().catch(() => undefined);
    }
  }

  /** Stops every node and removes the stores. */
  async close(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.server.stop()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
