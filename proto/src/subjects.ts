/**
 * NATS names shared by the coordinator and the workers (versioned with the wire format).
 * Stream and consumer names are fixed per deployment; subjects carry the campaign id.
 */

/** Work-queue stream that holds pending trial assignments. */
export const TRIALS_STREAM = "PRUNESWEEP_TRIALS";
/** Subject prefix of trial assignments; the full subject is `${TRIALS_SUBJECT_PREFIX}.<campaignId>`. */
export const TRIALS_SUBJECT_PREFIX = "prunesweep.v1.trials";
/** The single shared durable pull consumer every worker pulls from. */
export const TRIALS_CONSUMER = "prunesweep-workers";
/** Event-log stream (limits retention) that holds the campaigns' state of record. */
export const EVENTS_STREAM = "PRUNESWEEP_EVENTS";
/** Subject prefix of campaign events; the full subject is `${EVENTS_SUBJECT_PREFIX}.<campaignId>`. */
export const EVENTS_SUBJECT_PREFIX = "prunesweep.v1.events";
/** KV bucket with campaign specs, status and snapshots. */
export const CAMPAIGNS_BUCKET = "prunesweep_campaigns";
/** Object store for shared artifacts (pretrained dense weights). */
export const ARTIFACTS_BUCKET = "prunesweep_artifacts";
/** Object store with campaign snapshots (the coordinator's state every N events; the log stays the state of record). */
export const SNAPSHOTS_BUCKET = "prunesweep_snapshots";
/** Object store of the content-addressed blobs (imported models, datasets, pruned models), named `sha256-<hex>`. */
export const BLOBS_BUCKET = "prunesweep_blobs";
/** KV bucket used to claim artifact production (kv.create as a lock). */
export const ARTIFACT_CLAIMS_BUCKET = "prunesweep_artifact_claims";
/** Object store for trial checkpoints (`<campaignId>/<trialId>/...`), deleted when the trial ends. */
export const CHECKPOINTS_BUCKET = "prunesweep_checkpoints";

/** Subject a campaign's assignments are published on. */
export function trialSubject(campaignId: string): string {
  return `${TRIALS_SUBJECT_PREFIX}.${campaignId}`;
}

/** Subject a campaign's events are appended to. */
export function eventSubject(campaignId: string): string {
  return `${EVENTS_SUBJECT_PREFIX}.${campaignId}`;
}

/** Advisory published by the server when a message exhausted its deliveries. */
export function maxDeliveriesAdvisory(stream = TRIALS_STREAM, consumer = TRIALS_CONSUMER): string {
  return `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${stream}.${consumer}`;
}
