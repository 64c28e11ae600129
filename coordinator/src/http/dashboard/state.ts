/** What the dashboard page holds: the campaigns and trials the API sent, and the user's choices. */
import type { CampaignJson, TradeoffJson, TrialDetailJson, TrialJson } from "../api-types.js";

export interface DashboardState {
  campaigns: readonly CampaignJson[];
  /** Id of the selected campaign. */
  sel: string | null;
  /** Full summary of the selected campaign. */
  campaign: CampaignJson | null;
  trials: Record<string, TrialJson>;
  sortKey: string;
  sortDir: 1 | -1;
  stateF: string;
  methodF: string;
  /** Id of the trial shown in the detail panel. */
  detail: string | null;
  detailData: TrialDetailJson | null;
  /** Cost metric on the Pareto plot's x axis. */
  x: string | null;
  progressMetric: string | null;
  es: EventSource | null;
  pending: boolean;
}

export const S: DashboardState = {
  campaigns: [],
  sel: null,
  campaign: null,
  trials: {},
  sortKey: "number",
  sortDir: 1,
  stateF: "",
  methodF: "",
  detail: null,
  detailData: null,
  x: null,
  progressMetric: null,
  es: null,
  pending: false,
};

/** The page element with this id. @throws Error when the page lacks it. */
export function $(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`dashboard: no element #${id}`);
  return el;
}

export function trialList(): TrialJson[] {
  return Object.values(S.trials);
}

/** The pruning methods of the selected campaign, as the API lists them. */
export function methods(): readonly string[] {
  return S.campaign?.methods ?? [];
}

const PALETTE = ["#4c78a8", "#f58518", "#54a24b", "#b279a2", "#e45756", "#72b7b2", "#eeca3b", "#9d755d", "#ff9da6", "#bab0ac"];

/** The colour of a method on the plot and in the legend. */
export function methodColor(m: string): string {
  const i = methods().indexOf(m);
  return PALETTE[(i < 0 ? 0 : i) % PALETTE.length] as string;
}

/** The accuracy-vs-cost fronts of the selected campaign. */
export function tradeoffs(): readonly TradeoffJson[] {
  return S.campaign?.tradeoffs ?? [];
}

/** Whether a completed trial reports `metric`. */
export function hasMetric(metric: string): boolean {
  return trialList().some((t) => typeof t.metrics[metric] === "number" && t.state === "completed");
}
