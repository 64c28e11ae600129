import cliProgress from "cli-progress";
import type { ReadonlyCampaign } from "../../campaign/readonly-campaign.js";
import type { CampaignEvent } from "../../domain/events.js";

/** One-line campaign status: done/running/failed, and the best value of the first objective. */
function statusLine(r: ReadonlyCampaign): string {
  const c = r.counts();
  const done = c.completed + c.stopped_early + c.failed + c.cancelled;
  const o = r.spec.objectives[0];
  let best = "";
  if (o) {
    const vals = r
      .trials()
      .filter((t) => t.state === "completed" && Number.isFinite(t.metrics[o.metric]))
      .map((t) => [t.metrics[o.metric] as number, t.number] as const);
    if (vals.length > 0) {
      const pick = vals.reduce((a, b) => ((o.direction === "maximize" ? b[0] > a[0] : b[0] < a[0]) ? b : a));
      best = ` | best ${o.metric} ${pick[0].toFixed(4)} (trial ${pick[1]})`;
    }
  }
  const elapsed = ((Date.now() - r.createdAt) / 1000).toFixed(0);
  return `[${done}/${r.spec.budget.maxTrials}] done ${c.completed} stopped ${c.stopped_early} running ${c.running} waiting ${c.waiting} failed ${c.failed}${best} | ${elapsed}s`;
}

/** The counts and the best value, without the `[done/total]` prefix and elapsed time (the bar shows those). */
function barStatus(r: ReadonlyCampaign): string {
  const line = statusLine(r);
  return line.replace(/^\[\d+\/\d+\] /, "").replace(/ \| \d+s$/, "");
}

/**
 * Shows campaign progress: a progress bar with ETA (cli-progress) on a TTY, plain log lines
 * otherwise (one per finished trial). Returns a function that stops it.
 */
export function showProgress(r: ReadonlyCampaign, out: NodeJS.WriteStream = process.stdout): () => void {
  const tty = out.isTTY === true;
  const done = (): number => {
    const c = r.counts();
    return c.completed + c.stopped_early + c.failed + c.cancelled;
  };
  const bar = tty
    ? new cliProgress.SingleBar(
        {
          stream: out,
          format: "{bar} {value}/{total} trials | {elapsed} elapsed, ETA {etaText} | {status}",
          barsize: 24,
          hideCursor: true,
          fps: 4,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  const started = Date.now();
  const startDone = done();
  const payload = (): Record<string, string> => {
    const n = done();
    const elapsed = Date.now() - started;
    const rate = (n - startDone) / Math.max(1, elapsed);
    const left = r.spec.budget.maxTrials - n;
    return { status: barStatus(r), elapsed: shortDuration(elapsed), etaText: left <= 0 ? "0s" : rate > 0 ? shortDuration(left / rate) : "?" };
  };
  bar?.start(r.spec.budget.maxTrials, done(), payload());
  const timer = bar ? setInterval(() => bar.update(done(), payload()), 1_000) : undefined;
  timer?.unref();
  const onEvent = (e: CampaignEvent): void => {
    if (bar) {
      bar.update(done(), payload());
      return;
    }
    if (e.type === "TrialCompleted" || e.type === "TrialFailed") {
      const t = r.trial(e.trialId);
      const m = Object.entries(t.metrics)
        .filter(([k]) => r.spec.objectives.some((o) => o.metric === k))
        .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(4)}`)
        .join(" ");
      // After the current change settles, so the line counts the trial dispatched in its place.
      queueMicrotask(() => out.write(`trial ${t.number} ${t.state}${m ? ` ${m}` : ""}${t.error ? ` (${t.error})` : ""}\n${statusLine(r)}\n`));
    }
  };
  const off = r.onEvent(onEvent);
  return () => {
    off();
    if (timer) clearInterval(timer);
    bar?.update(done(), payload());
    bar?.stop();
  };
}

/** `42s`, `3m05s`, `2h07m`. */
function shortDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}
