// Keeps the snapshot of a kept 10^6-trial campaign (resume-1m.mjs --keep) readable by the
// coordinator as built now: when the newest snapshot does not decode with the current codec
// or is not at `position`, the state at `position` is folded from the log (the events up to
// it, as the first full replay saw them) and written as the only snapshot; with --force, also
// when it decodes (what the coordinator writes changed, but it still reads the old form). Then the timed
// resumes start from a snapshot of the current format without writing the log again.
// Sends {t: "resnapshot", rebuilt, ms} to its parent.
import { CampaignState, connectNats, JetStreamCampaignStore } from "@prunesweep/coordinator";

// Not part of the coordinator's library entry: loaded from its build like snapshot-codecs.mjs.
const dist = (f) => import(new URL(`../../coordinator/dist/${f}`, import.meta.url).href);
const codec = await dist("campaign/snapshot-codec.js");
const { JetStreamSnapshotStore } = await dist("transport/jetstream-snapshots.js");

const [natsUrl, campaignId, positionArg, force] = process.argv.slice(2);
const position = Number(positionArg);
const t0 = performance.now();
const nc = await connectNats({ url: natsUrl, name: "bench-resnapshot", connectTimeoutMs: 5_000 });
const snapshots = await JetStreamSnapshotStore.create(nc, 1);
const positions = await snapshots.list(campaignId);
let usable = false;
if (positions[0] === position && force !== "--force") {
  try {
    usable = (await codec.decodeSnapshot(await snapshots.get(campaignId, position))).state.trials.length > 0;
  } catch (err) {
    process.stderr.write(`resnapshot: the snapshot at ${position} does not decode (${err.message}); rebuilding it from the log\n`);
  }
}
if (!usable) {
  const store = await JetStreamCampaignStore.create(nc);
  const state = new CampaignState(campaignId);
  for (const e of await store.loadAfter(campaignId, 0)) if (e.position <= position) state.apply(e.event);
  const bytes = await codec.encodeSnapshot(state.toSnapshot(), position);
  for (const p of positions) await snapshots.delete(campaignId, p);
  await snapshots.put(campaignId, position, bytes);
  process.stderr.write(`resnapshot: wrote a snapshot of ${state.trialCount} trials at ${position} (${bytes.byteLength} bytes)\n`);
}
await nc.close();
process.send?.({ t: "resnapshot", rebuilt: !usable, ms: performance.now() - t0 });
process.exit(0);
