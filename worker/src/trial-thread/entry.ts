/**
 * The training thread: runs trials with TensorFlow.js off the main event loop, so that the
 * main thread's JetStream `working()` heartbeats and gRPC keepalives keep flowing. Progress
 * decisions, logs, the shared pretrained store and the checkpoint store are proxied to the main
 * thread.
 */
import { parentPort } from "node:worker_threads";
import type { CheckpointStore } from "../artifacts/checkpoint-store.js";
import type { BlobRef } from "@prunesweep/proto";
import type { BlobCache } from "../artifacts/blob-cache.js";
import type { PretrainedStore, PretrainedResult, ProduceWeights } from "../artifacts/pretrained-store.js";
import type { SerializedWeights } from "../models/serialized-weights.js";
import { selectBackend } from "../backend/select-backend.js";
import { runTrial } from "../trial/run-trial.js";
import type { StepDecision } from "../trial/types.js";
import { fromWireError, toWireError, type FromThread, type ToThread } from "./protocol.js";

const port = parentPort;
if (!port) throw new Error("trial-thread/entry must run in a worker_thread");

let nextRid = 1;
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
const decisions = new Map<number, (d: StepDecision) => void>();
const producers = new Map<number, ProduceWeights>();
let abort = new AbortController();

const send = (m: FromThread): void => port.postMessage(m);

function request<T>(make: (rid: number) => FromThread): Promise<T> {
  const rid = nextRid++;
  return new Promise<T>((resolve, reject) => {
    pending.set(rid, { resolve: resolve as (v: unknown) => void, reject });
    send(make(rid));
  });
}

/** The pretrained store of the main thread, seen from here. */
const store: PretrainedStore = {
  get: (key) => request<SerializedWeights | undefined>((rid) => ({ t: "store.get", rid, key })),
  put: (key, weights) => request<void>((rid) => ({ t: "store.put", rid, key, weights })),
  getOrCreate: (key, produce) => {
    const rid = nextRid++;
    producers.set(rid, produce);
    return new Promise<PretrainedResult>((resolve, reject) => {
      pending.set(rid, {
        resolve: (v) => {
          producers.delete(rid);
          resolve(v as PretrainedResult);
        },
        reject: (e) => {
          producers.delete(rid);
          reject(e);
        },
      });
      send({ t: "store.getOrCreate", rid, key });
    });
  },
};

/** The checkpoint store of the main thread, seen from here. */
const checkpoints: CheckpointStore = {
  get: (name) => request<SerializedWeights | undefined>((rid) => ({ t: "checkpoint.get", rid, name })),
  put: (name, weights) => request<void>((rid) => ({ t: "checkpoint.put", rid, name, weights })),
  deletePrefix: (prefix) => request<void>((rid) => ({ t: "checkpoint.deletePrefix", rid, prefix })),
};

/** The blob store of the main thread, seen from here. */
const blobs: BlobCache = {
  materialise: (refs) => request<string>((rid) => ({ t: "blobs.materialise", rid, refs })),
  put: (files) => request<BlobRef[]>((rid) => ({ t: "blobs.put", rid, files })),
};

port.on("message", (m: ToThread) => {
  switch (m.t) {
    case "run":
      abort = new AbortController();
      void runTrial(
        m.req,
        {
          signal: abort.signal,
          progress: (step, phase, metrics) => {
            const rid = nextRid++;
            return new Promise<StepDecision>((resolve) => {
              decisions.set(rid, resolve);
              send({ t: "progress", rid, step, phase, metrics });
            });
          },
          log: (message, fields) => send({ t: "log", message, ...(fields !== undefined && { fields }) }),
        },
        { pretrained: store, blobs, ...(m.checkpoints && { checkpoints }) },
      ).then((outcome) => send({ t: "outcome", outcome }));
      return;
    case "abort":
      abort.abort(new Error(m.reason));
      return;
    case "backend": {
      let line: { msg: string; fields: Readonly<Record<string, unknown>> } | undefined;
      selectBackend(m.requested, (msg, fields) => (line = { msg, fields })).then(
        (sel) => send({ t: "backend", rid: m.rid, ok: true, backend: sel.backend, ...(line && { line }) }),
        (err: unknown) => send({ t: "backend", rid: m.rid, ok: false, error: toWireError(err) }),
      );
      return;
    }
    case "decision":
      decisions.get(m.rid)?.(m.decision);
      decisions.delete(m.rid);
      return;
    case "reply": {
      const p = pending.get(m.rid);
      pending.delete(m.rid);
      if (m.ok) p?.resolve(m.value);
      else p?.reject(fromWireError(m.error));
      return;
    }
    case "produce": {
      const produce = producers.get(m.rid);
      if (!produce) {
        send({ t: "produced", rid: m.rid, ok: false, error: { name: "Error", message: "no producer for this request" } });
        return;
      }
      produce().then(
        (weights) => send({ t: "produced", rid: m.rid, ok: true, weights }),
        (err: unknown) => send({ t: "produced", rid: m.rid, ok: false, error: toWireError(err) }),
      );
      return;
    }
  }
});
