// Snapshot layouts compared on one campaign's newest snapshot (part of resume-1m.mjs): JSON,
// JSON + gzip, the columnar body, the columnar body + gzip (what the coordinator writes).
// Sends {t: "layouts", layouts: [{name, bytes, encodeMs, decodeMs}]} to its parent.
import { promisify } from "node:util";
import { gunzip, gzip } from "node:zlib";
import { Objm } from "@nats-io/obj";
import { connect } from "@nats-io/transport-node";
import { SNAPSHOTS_BUCKET } from "@prunesweep/proto";

// Not part of the coordinator's library entry: loaded from its build like bench/samplers does.
const codec = await import(new URL("../../coordinator/dist/campaign/snapshot-codec.js", import.meta.url).href);
const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

const [natsUrl, campaignId] = process.argv.slice(2);
const nc = await connect({ servers: natsUrl, name: "bench-codecs" });
const os = await new Objm(nc).open(SNAPSHOTS_BUCKET);
const names = (await os.list()).filter((o) => o.name.startsWith(`${campaignId}/`)).map((o) => o.name).sort();
const bytes = await os.getBlob(names.at(-1));
await nc.close();
const decoded = await codec.decodeSnapshot(bytes);
const position = decoded.position;
/** Every trial of a decoded snapshot as objects (a decoded snapshot reads them in place until asked). */
const allTrials = (s) => (Array.isArray(s.trials) ? s : { ...s, trials: s.trials.snapshots(0, s.trials.length) });
const state = allTrials(decoded.state);

/** Wall and CPU time (this process, user + system) of `f`. */
async function time(f) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const v = await f();
  const c = process.cpuUsage(c0);
  return { v, ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 };
}

const layouts = [];
const json = await time(() => JSON.stringify(state));
const jsonBytes = Buffer.byteLength(json.v);
const jsonDecode = await time(() => JSON.parse(json.v));
const entry = (name, bytes, enc, dec) => ({ name, bytes, encodeMs: enc.ms, decodeMs: dec.ms, encodeCpuMs: enc.cpuMs, decodeCpuMs: dec.cpuMs });
layouts.push(entry("JSON", jsonBytes, json, jsonDecode));
const jgz = await time(() => gzipAsync(json.v, { level: 1 }));
const jgzDecode = await time(async () => JSON.parse((await gunzipAsync(jgz.v)).toString()));
layouts.push(entry("JSON + gzip -1", jgz.v.byteLength, { ms: json.ms + jgz.ms, cpuMs: json.cpuMs + jgz.cpuMs }, jgzDecode));
const body = await time(() => codec.encodeSnapshotBody(state, position));
// Decoding builds every trial, as JSON.parse does (a resume builds only the open ones at once).
const bodyDecode = await time(() => allTrials(codec.decodeSnapshotBody(body.v).state));
layouts.push(entry("columnar", body.v.byteLength, body, bodyDecode));
const full = await time(() => codec.encodeSnapshot(state, position));
const fullDecode = await time(async () => allTrials((await codec.decodeSnapshot(full.v)).state));
layouts.push(entry("columnar + gzip -1 (written)", full.v.byteLength, full, fullDecode));
process.send?.({ t: "layouts", layouts });
process.exit(0);
