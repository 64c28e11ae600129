#!/usr/bin/env bash
# GPU probe: what a machine offers prunesweep, in under 8 minutes, with nothing but Node and this
# repository. Records the GPU and driver (nvidia-smi), the Vulkan loader's view (libvulkan, ICD
# manifests, VK_ICD_FILENAMES/VK_DRIVER_FILES, NVIDIA_DRIVER_CAPABILITIES), whether Dawn offers a
# WebGPU adapter; then, for each backend (tensorflow = tfjs-node-gpu/tfjs-node if installed,
# webgpu, and wasm and cpu for reference), loads it explicitly and trains one epoch of
# LeNet-300-100 and LeNet-5 on the built-in digits with the worker's own code
# (bench/gpu/probe.mjs, each backend in its own process under its own timeout). Writes one JSON
# summary and prints its path.
#
#   bash bench/gpu/probe.sh [OUT.json]          # default bench/results/gpu-probe.json
#   PROBE_BUDGET_S=420 PROBE_BACKENDS="tensorflow webgpu wasm cpu" bash bench/gpu/probe.sh
#
# Without node_modules it runs `npm ci` (time-boxed); without network that fails, and the JSON
# says so and keeps what could be recorded without it.
set -uo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"
out="${1:-$root/bench/results/gpu-probe.json}"
budget_s="${PROBE_BUDGET_S:-450}"          # the whole run; leaves margin under 8 minutes
backends="${PROBE_BACKENDS:-tensorflow webgpu wasm cpu}"
start=$(date +%s)
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$(dirname "$out")"

left() { echo $((budget_s - ($(date +%s) - start))); }
# step NAME CAP_S CMD...: runs CMD under min(CAP_S, time left - reserve), output to $tmp/NAME.log,
# status to $tmp/NAME.status ("rc seconds").
step() {
  local name="$1" cap="$2"
  shift 2
  local t=$(($(left) - 15))
  [ "$t" -gt "$cap" ] && t="$cap"
  if [ "$t" -lt 5 ]; then
    echo "skipped (out of time)" >"$tmp/$name.log"
    echo "124 0" >"$tmp/$name.status"
    return 124
  fi
  local s rc
  s=$(date +%s)
  timeout --kill-after=5 "$t" "$@" >"$tmp/$name.log" 2>&1
  rc=$?
  echo "$rc $(($(date +%s) - s))" >"$tmp/$name.status"
  echo "probe: $name rc=$rc ($(($(date +%s) - s)) s)" >&2
  return "$rc"
}

# --- the machine ---------------------------------------------------------------------------
if command -v nvidia-smi >/dev/null 2>&1; then
  step nvidia-smi-query 20 nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv,noheader
  step nvidia-smi 20 nvidia-smi
else
  echo "nvidia-smi not found" >"$tmp/nvidia-smi-query.log"; echo "127 0" >"$tmp/nvidia-smi-query.status"
  echo "nvidia-smi not found" >"$tmp/nvidia-smi.log"; echo "127 0" >"$tmp/nvidia-smi.status"
fi
{
  for d in /usr/share/vulkan/icd.d /usr/local/share/vulkan/icd.d /etc/vulkan/icd.d; do
    for f in "$d"/*.json; do [ -f "$f" ] && { echo "== $f"; head -c 2000 "$f"; echo; }; done
  done
} >"$tmp/icd-files.log" 2>&1
step ldconfig-vulkan 10 sh -c 'ldconfig -p 2>/dev/null | grep -E "libvulkan|libGLX_nvidia|libEGL_nvidia" || true'

# --- node_modules and the build --------------------------------------------------------------
npm_note="node_modules present"
if [ ! -d node_modules/@tensorflow/tfjs ]; then
  if step npm-ci 240 npm ci --no-audit --no-fund; then npm_note="npm ci ran"; else npm_note="npm ci failed (network unreachable?): see steps.npm-ci"; fi
fi
if [ ! -f worker/dist/index.js ] || [ ! -f coordinator/dist/index.js ] || [ ! -f proto/dist/index.js ]; then
  step build 120 npm run build || true
fi

# --- Dawn's view, then each backend --------------------------------------------------------
step describe 30 node bench/gpu/probe.mjs --describe-only --out "$tmp/describe.json"
for b in $backends; do
  # Per-model training budget: what is left, shared by the backends still to run.
  n_left=$(echo "$backends" | tr ' ' '\n' | sed -n "/^$b\$/,\$p" | grep -c .)
  per=$((($(left) - 20) / n_left))
  [ "$per" -gt 150 ] && per=150
  train_s=$(((per - 30) / 3))
  [ "$train_s" -lt 3 ] && train_s=3
  step "backend-$b" "$per" node bench/gpu/probe.mjs --backend "$b" --budget-s "$train_s" --out "$tmp/backend-$b.json"
done

# --- the summary --------------------------------------------------------------------------------
PROBE_TMP="$tmp" PROBE_OUT="$out" PROBE_NPM="$npm_note" PROBE_BACKENDS="$backends" PROBE_START="$start" node -e '
const fs = require("node:fs"), path = require("node:path"), os = require("node:os");
const tmp = process.env.PROBE_TMP;
const read = (f) => { try { return fs.readFileSync(path.join(tmp, f), "utf8"); } catch { return null; } };
const json = (f) => { const t = read(f); try { return t ? JSON.parse(t) : null; } catch { return { unparsable: t.slice(0, 2000) }; } };
const steps = {};
for (const f of fs.readdirSync(tmp).filter((f) => f.endsWith(".status"))) {
  const name = f.slice(0, -7);
  const [rc, s] = read(f).trim().split(" ").map(Number);
  steps[name] = { rc, seconds: s, timedOut: rc === 124 || rc === 137, outputTail: (read(name + ".log") ?? "").slice(-1500) };
}
const query = (read("nvidia-smi-query.log") ?? "").trim();
const gpus = steps["nvidia-smi-query"]?.rc === 0 ? query.split("\n").filter(Boolean).map((l) => { const [name, driver, memory, computeCap] = l.split(",").map((s) => s.trim()); return { name, driver, memory, computeCap }; }) : [];
const backends = {};
for (const b of process.env.PROBE_BACKENDS.split(" ").filter(Boolean)) {
  const r = json("backend-" + b + ".json");
  const st = steps["backend-" + b];
  backends[b] = r ? { ...r, ...(st?.timedOut && { timedOut: true }) } : { loaded: false, error: st?.timedOut ? "timed out" : "no result (crashed?)", outputTail: st?.outputTail };
}
const line = (b, r) => r.loaded ? `${b}: loaded (${r.package}${r.device ? ", " + r.device : ""}${r.gpu ? ", GPU" : ""}) ` + Object.entries(r.models ?? {}).map(([m, e]) => `${m} ${e.samplesPerSec ?? "-"} samples/s${e.fullEpoch === false ? " (partial epoch)" : ""}${e.error ? " error: " + e.error : ""}`).join(", ") : `${b}: not loaded: ${r.error}`;
const findings = [
  `GPU: ${gpus.length > 0 ? gpus.map((g) => g.name + " (driver " + g.driver + ")").join(", ") : "none found (" + (read("nvidia-smi-query.log") ?? "").trim().split("\n")[0] + ")"}`,
  `npm: ${process.env.PROBE_NPM}`,
  ...Object.entries(backends).map(([b, r]) => line(b, r)),
];
const summary = {
  probe: "bench/gpu/probe.sh",
  date: new Date().toISOString(),
  wallSeconds: Math.round(Date.now() / 1000 - Number(process.env.PROBE_START)),
  host: { hostname: os.hostname(), platform: process.platform, arch: process.arch, node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30) },
  gpuFound: gpus.length > 0,
  findings,
  gpus,
  nvidiaSmi: gpus.length > 0 ? (read("nvidia-smi.log") ?? "").slice(0, 4000) : (read("nvidia-smi-query.log") ?? "").trim(),
  vulkan: { ...(json("describe.json")?.vulkan ?? {}), icdFiles: (read("icd-files.log") ?? "").slice(0, 6000), ldconfig: (read("ldconfig-vulkan.log") ?? "").trim() },
  npm: process.env.PROBE_NPM,
  backendsLoaded: Object.entries(backends).filter(([, r]) => r.loaded).map(([b]) => b),
  backends,
  samplesPerSec: Object.fromEntries(Object.entries(backends).map(([b, r]) => [b, Object.fromEntries(Object.entries(r.models ?? {}).map(([m, e]) => [m, e.samplesPerSec ?? null]))])),
  steps,
};
fs.writeFileSync(process.env.PROBE_OUT, JSON.stringify(summary, null, 2) + "\n");
for (const f of findings) console.error("probe: " + f);
'
echo "$out"
