import type { CampaignRunner } from "../campaign/campaign-runner.js";
import type { CampaignEvent } from "../domain/events.js";

/** One-line campaign status: done/running/failed, and the best value of the first objective. */
export function statusLine(r: CampaignRunner): string {
  const c = r.state.counts();
  const done = c.completed + c.stopped_early + c.failed + c.cancelled;
  const o = r.spec.objectives[0];
  let best = "";
  if (o) {
    const vals = r.state
      .snapshots()
      .filter((t) => t.state === "completed" && Number.isFinite(t.metrics[o.metric]))
      .map((t) => [t.metrics[o.metric] as number, t.number] as const);
    if (vals.length > 0) {
      const pick = vals.reduce((a, b) => ((o.direction === "maximize" ? b[0] > a[0] : b[0] < a[0]) ? b : a));
      best = ` | best ${o.metric} ${pick[0].toFixed(4)} (trial ${pick[1]})`;
    }
  }
  const elapsed = ((Date.now() - r.state.createdAt) / 1000).toFixed(0);
  return `[${done}/${r.spec.budget.maxTrials}] done ${c.completed} stopped ${c.stopped_early} running ${c.running} waiting ${c.waiting} failed ${c.failed}${best} | ${elapsed}s`;
}

/**
 * Shows campaign progress: a rewritten status line on a TTY, plain log lines otherwise
 * (one per finished trial). Returns a function that stops it.
 */
export function showProgress(r: CampaignRunner, out: NodeJS.WriteStream = process.stdout): () => void {
  const tty = out.isTTY === true;
  const render = (): void => {
    if (tty) out.write(`\r\x1b[2K${statusLine(r)}`);
  };
  const onEvent = (e: CampaignEvent): void => {
    if (e.type === "TrialCompleted" || e.type === "TrialFailed") {
      if (!tty) {
        const t = r.state.trial(e.trialId);
        const m = Object.entries(t.metrics)
          .filter(([k]) => r.spec.objectives.some((o) => o.metric === k))
          .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(4)}`)
          .join(" ");
        out.write(`trial ${t.number} ${t.state}${m ? ` ${m}` : ""}${t.error ? ` (${t.error})` : ""}\n${statusLine(r)}\n`);
      }
    }
    render();
  };
  const off = r.onEvent(onEvent);
  const timer = tty ? setInterval(render, 1000) : undefined;
  timer?.unref();
  return () => {
    off();
    if (timer) clearInterval(timer);
    if (tty) out.write("\n");
  };
}
