/**
 * The live dashboard: one HTML page with inline CSS and a dependency-free script (no CDN, so
 * it works offline and in air-gapped clusters). The script is the bundle of the typed
 * sources in dashboard/; data comes from `/api/*` and updates arrive as server-sent events
 * from `/api/events`. Plots are hand-drawn SVG so that the page stays small.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { SweepError } from "../errors.js";

const STYLE = String.raw`
*{box-sizing:border-box}body{font-family:Helvetica,Arial,sans-serif;margin:0;color:#222;background:#f4f6f8;font-size:14px}
header{background:#1f3b57;color:#fff;padding:10px 20px;display:flex;align-items:center;gap:16px}
header h1{font-size:18px;margin:0}header .live{font-size:12px;opacity:.85}
#layout{display:flex;gap:14px;padding:14px}#side{width:250px;flex:none}#main{flex:1;min-width:0}
.panel{background:#fff;border:1px solid #e0e4e8;border-radius:6px;padding:12px 14px;margin-bottom:14px}
.panel h2{font-size:15px;margin:0 0 8px;color:#1f3b57}
#campaigns .c{padding:8px;border-radius:4px;cursor:pointer;border:1px solid transparent;margin-bottom:4px}
#campaigns .c:hover{background:#f0f4f8}#campaigns .c.sel{border-color:#4c78a8;background:#eaf1f8}
.c .n{font-weight:bold}.c .s{font-size:12px;color:#555}.bar{height:5px;background:#e6e6e6;border-radius:3px;margin-top:4px;overflow:hidden}
.bar i{display:block;height:100%;background:#4c78a8}
.badge{display:inline-block;padding:1px 7px;border-radius:9px;font-size:11px;background:#ddd}
.st-running{background:#d7ecff}.st-completed{background:#d9f2dd}.st-cancelled{background:#eee}.st-failed{background:#fbdada}.st-stopped_early{background:#fff1c7}.st-waiting{background:#f0f0f0}
.cards{display:flex;flex-wrap:wrap;gap:10px}.card{border:1px solid #e6e6e6;border-radius:5px;padding:6px 12px;min-width:110px}.card span{font-size:11px;color:#666}.card b{display:block;font-size:17px}
.row{display:flex;flex-wrap:wrap;gap:14px}.row>.panel{flex:1;min-width:420px}
table{border-collapse:collapse;width:100%;font-size:12.5px}th,td{padding:4px 7px;border-bottom:1px solid #eee;text-align:right;white-space:nowrap}
th{background:#f3f5f7;cursor:pointer;user-select:none;position:sticky;top:0}th.l,td.l{text-align:left}
tbody tr{cursor:pointer}tbody tr:hover{background:#f6f9fc}tr.sel{background:#eaf1f8!important}
#tablewrap{max-height:440px;overflow:auto}.controls{display:flex;gap:10px;align-items:center;margin-bottom:8px;flex-wrap:wrap}
select{font-size:13px;padding:2px 4px}svg text{font-family:Helvetica,Arial,sans-serif}
.muted{color:#777;font-size:12px}pre{background:#f5f5f5;padding:8px;font-size:11.5px;max-height:240px;overflow:auto}
.legend{font-size:12px;color:#444;margin-top:4px}.legend span{margin-right:12px;white-space:nowrap}.sw{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:4px;vertical-align:middle}
`;

/**
 * The bundle of dashboard/*.ts that `npm run build` writes (esbuild). The same URL resolves
 * from src/http/ (tests run the sources) and from dist/http/.
 */
const BUNDLE = new URL("../../dist/http/dashboard.js", import.meta.url);
let script: string | undefined;

function dashboardScript(): string {
  if (script === undefined) {
    if (!existsSync(BUNDLE)) throw new SweepError(`the dashboard script ${fileURLToPath(BUNDLE)} is missing; build it with \`npm run build\``);
    // Inline in a <script> element: a "</script" inside a string must not end it.
    script = readFileSync(BUNDLE, "utf8").replaceAll("</script", "<\\/script");
  }
  return script;
}

/**
 * The dashboard page (HTML with inline CSS and script).
 * @throws SweepError when the script bundle was not built.
 */
export function dashboardHtml(title = "prunesweep"): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"><title>${title.replace(/[<>&"]/g, "")} dashboard</title><style>${STYLE}</style></head>
<body>
<header><h1>prunesweep</h1><span class="live" id="live">connecting...</span><span style="flex:1"></span><a href="/metrics" style="color:#cfe0f1;font-size:12px">/metrics</a></header>
<div id="layout">
<div id="side"><div class="panel"><h2>Campaigns</h2><div id="campaigns"></div></div></div>
<div id="main">
<div class="panel" id="summary"></div>
<div class="row">
<div class="panel"><h2>Pareto front</h2><div class="controls">x: <select id="xsel"></select></div><div id="pareto"></div><div class="legend" id="plegend"></div></div>
<div class="panel" style="max-width:470px"><h2>Hypervolume over trials</h2><div id="hv"></div></div>
</div>
<div class="panel"><h2>Trials <span class="muted" id="tcount"></span></h2>
<div class="controls">state <select id="statef"></select> method <select id="methodf"></select> <span class="muted">click a column to sort, a row for details</span></div>
<div id="tablewrap"></div></div>
<div class="panel" id="detail"></div>
</div></div>
<script>${dashboardScript()}</script>
</body></html>
`;
}
