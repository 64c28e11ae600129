/**
 * System packages some tests need beyond nats-server. `.ci/run` installs them (Debian); on a
 * machine without them those tests skip, and say why on stderr (vitest's summary only counts
 * skips).
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";

/** Debian's chromium (a wrapper script that starts the real binary). */
export const CHROMIUM = "/usr/bin/chromium";

/** Why headless Chromium cannot be used here, or undefined when it can. */
export function chromiumMissing(): string | undefined {
  try {
    accessSync(CHROMIUM, constants.X_OK);
    return undefined;
  } catch {
    return `${CHROMIUM} is not installed (.ci/run installs it: apt-get install -y chromium)`;
  }
}

/** Why Optuna cannot be imported by /usr/bin/python3, or undefined when it can. */
export function optunaMissing(): string | undefined {
  const r = spawnSync("/usr/bin/python3", ["-c", "import optuna"], { encoding: "utf8", timeout: 60_000 });
  if (r.status === 0) return undefined;
  return `python3 cannot import optuna (.ci/run installs it: apt-get install -y python3-optuna)${r.error ? `: ${r.error.message}` : ""}`;
}

/**
 * Prints `<file>: skipped: <reason>` to stderr when `reason` is set, and returns it (for
 * `describe.skipIf(reason !== undefined)`).
 */
export function explainSkip(file: string, reason: string | undefined): string | undefined {
  if (reason !== undefined) process.stderr.write(`${file}: skipped: ${reason}\n`);
  return reason;
}
