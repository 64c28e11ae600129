import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

/** Absolute path of the `prunesweep` bin. */
export const BIN = fileURLToPath(new URL("../../bin/prunesweep.mjs", import.meta.url));

export interface Spawned {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or the signal name). */
  readonly exited: Promise<number | string>;
}

/** Spawns `node bin/prunesweep.mjs ...args`, capturing stdout and stderr. */
export function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Spawned {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout?.on("data", (b: Buffer) => (out += b.toString()));
  child.stderr?.on("data", (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | string>((res) => child.once("exit", (code, sig) => res(code ?? sig ?? -1)));
  return { child, output: () => out, exited };
}

/**
 * The environment of a worker without a usable WebGPU adapter (no Vulkan driver, the NVIDIA
 * container capabilities without graphics): with `--backend webgpu` (or PRUNESWEEP_BACKEND)
 * every trial fails at its start, non-retryably, naming what is missing.
 */
export const NO_WEBGPU_ENV: Readonly<NodeJS.ProcessEnv> = { VK_ICD_FILENAMES: "/nonexistent/prunesweep-no-icd.json", NVIDIA_DRIVER_CAPABILITIES: "compute,utility" };

/** Spawns a worker process against `natsUrl`. */
export function spawnWorker(natsUrl: string, id: string, extra: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Spawned {
  return spawnCli(["worker", "--nats", natsUrl, "--worker-id", id, "--log-level", "warn", "--heartbeat-ms", "1000", ...extra], env);
}

/** SIGTERM, then SIGKILL after `graceMs`. */
export async function stop(s: Spawned, graceMs = 10_000): Promise<void> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return;
  const t = setTimeout(() => s.child.kill("SIGKILL"), graceMs);
  s.child.kill("SIGTERM");
  await s.exited;
  clearTimeout(t);
}
