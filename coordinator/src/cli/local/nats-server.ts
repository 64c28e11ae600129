import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { delimiter, join } from "node:path";
import { SweepError } from "../../errors.js";

/** nats-server is not installed where we looked. */
export class NatsServerNotFoundError extends SweepError {}

const INSTALL_HINT =
  "install it with `sudo apt-get install -y nats-server` (Debian/Ubuntu), `brew install nats-server` (macOS), " +
  "or download it from https://github.com/nats-io/nats-server/releases and set NATS_SERVER_BIN; " +
  "or pass --nats URL to use a running server";

/**
 * Finds the nats-server binary: `NATS_SERVER_BIN`, then PATH, then /usr/sbin/nats-server.
 * @throws NatsServerNotFoundError saying how to install it.
 */
export function findNatsServer(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env["NATS_SERVER_BIN"];
  if (explicit) {
    try {
      accessSync(explicit, constants.X_OK);
      return explicit;
    } catch {
      throw new NatsServerNotFoundError(`NATS_SERVER_BIN=${explicit} is not an executable; ${INSTALL_HINT}`);
    }
  }
  const candidates = [
    ...(env["PATH"] ?? "").split(delimiter).filter(Boolean).map((d) => join(d, "nats-server")),
    "/usr/sbin/nats-server",
    "/usr/local/bin/nats-server",
  ];
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      /* next */
    }
  }
  throw new NatsServerNotFoundError(`nats-server not found on PATH or in /usr/sbin; ${INSTALL_HINT}`);
}

/** A free TCP port on 127.0.0.1 (released before returning; tiny race accepted). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface LocalNatsServer {
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  readonly process: ChildProcess;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s). Idempotent. */
  stop(): Promise<void>;
  /** Kills the server hard (fault injection). */
  kill(signal?: NodeJS.Signals): void;
  /** Starts it again on the same port and store (after `stop`/`kill`). */
  restart(): Promise<void>;
}

export interface NatsServerOptions {
  readonly storeDir: string;
  readonly port?: number;
  readonly binary?: string;
  /** Extra nats-server arguments (e.g. `--user`, `--pass`, `--auth`). */
  readonly args?: readonly string[];
  readonly host?: string;
}

/**
 * Starts `nats-server -js` as a child process and waits until it accepts connections. Without
 * `port`, it takes a free port (another one when that is taken before the server binds it).
 */
export async function startNatsServer(o: NatsServerOptions): Promise<LocalNatsServer> {
  const binary = o.binary ?? findNatsServer();
  let port = o.port ?? (await freePort());
  const host = o.host ?? "127.0.0.1";
  mkdirSync(o.storeDir, { recursive: true });
  let child: ChildProcess;
  let stopping: Promise<void> | undefined;
  const launch = async (): Promise<void> => {
    child = spawn(binary, ["-js", "-a", host, "-p", String(port), "-sd", o.storeDir, ...(o.args ?? [])], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    await new Promise<void>((resolve, reject) => {
      let log = "";
      const timer = setTimeout(() => reject(new SweepError(`nats-server did not start within 15 s:\n${log}`)), 15_000);
      child.stderr?.on("data", (b: Buffer) => {
        log += b.toString();
        if (log.includes("Server is ready")) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new SweepError(`nats-server exited with code ${code}:\n${log}`));
      });
    });
    child.stderr?.removeAllListeners("data");
    child.stderr?.resume();
  };
  // A free port can be taken by another process before nats-server binds it: pick another.
  for (let attempt = 1; ; attempt++) {
    try {
      await launch();
      break;
    } catch (err) {
      const taken = err instanceof Error && /address already in use/i.test(err.message);
      if (o.port !== undefined || !taken || attempt >= 3) throw err;
      port = await freePort();
    }
  }
  const server: LocalNatsServer = {
    url: `nats://${host}:${port}`,
    port,
    storeDir: o.storeDir,
    get process() {
      return child;
    },
    stop: () => {
      stopping ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const t = setTimeout(() => child.kill("SIGKILL"), 5_000);
        child.once("exit", () => {
          clearTimeout(t);
          resolve();
        });
        child.kill("SIGTERM");
      });
      return stopping;
    },
    kill: (signal = "SIGKILL") => {
      child.kill(signal);
    },
    restart: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((r) => {
          child.once("exit", () => r());
          child.kill("SIGTERM");
        });
      }
      stopping = undefined;
      await launch();
    },
  };
  return server;
}
