import { Worker as Thread } from "node:worker_threads";
import type { TrialDeps } from "../trial/run-trial.js";
import type { SerializedWeights } from "../models/serialized-weights.js";
import type { TrialHooks, TrialOutcome, TrialRequest } from "../trial/types.js";
import { fromWireError, toWireError, type FromThread, type ToThread } from "./protocol.js";

/**
 * Runs trials in a long-lived worker_thread (tfjs backend and dataset caches survive across
 * trials), one at a time. The main thread stays free for heartbeats; hooks and the pretrained
 * store are served here. A crashed thread fails its trial as retryable and is replaced.
 */
export class TrialThread {
  private thread: Thread | undefined;

  constructor(private readonly entry: URL = new URL("./entry.js", import.meta.url)) {}

  /** Same contract as `runTrial`: never throws; failures come back as outcomes. */
  run(req: TrialRequest, hooks: TrialHooks, deps: TrialDeps): Promise<TrialOutcome> {
    const thread = (this.thread ??= new Thread(this.entry));
    const post = (m: ToThread): void => thread.postMessage(m);
    return new Promise<TrialOutcome>((resolve) => {
      const producing = new Map<number, { resolve: (w: SerializedWeights) => void; reject: (e: Error) => void }>();
      const onAbort = (): void => post({ t: "abort", reason: String((hooks.signal.reason as Error | undefined)?.message ?? "aborted") });
      const finish = (o: TrialOutcome): void => {
        thread.off("message", onMessage);
        thread.off("error", onError);
        thread.off("exit", onExit);
        hooks.signal.removeEventListener("abort", onAbort);
        resolve(o);
      };
      const reply = (rid: number, p: Promise<unknown>): void => {
        p.then(
          (value) => post({ t: "reply", rid, ok: true, value }),
          (err: unknown) => post({ t: "reply", rid, ok: false, error: toWireError(err) }),
        );
      };
      const onMessage = (m: FromThread): void => {
        switch (m.t) {
          case "progress":
            void hooks.progress(m.step, m.phase, m.metrics).then((decision) => post({ t: "decision", rid: m.rid, decision }));
            return;
          case "log":
            hooks.log(m.message, m.fields);
            return;
          case "store.get":
            reply(m.rid, deps.pretrained.get(m.key));
            return;
          case "store.put":
            reply(m.rid, deps.pretrained.put(m.key, m.weights));
            return;
          case "blobs.materialise":
            reply(m.rid, deps.blobs ? deps.blobs.materialise(m.refs) : Promise.reject(new Error("this worker has no blob store")));
            return;
          case "blobs.put":
            reply(m.rid, deps.blobs ? deps.blobs.put(m.files) : Promise.reject(new Error("this worker has no blob store")));
            return;
          case "store.getOrCreate":
            reply(
              m.rid,
              deps.pretrained.getOrCreate(
                m.key,
                () =>
                  new Promise<SerializedWeights>((res, rej) => {
                    producing.set(m.rid, { resolve: res, reject: rej });
                    post({ t: "produce", rid: m.rid });
                  }),
                { signal: hooks.signal, log: hooks.log },
              ),
            );
            return;
          case "produced": {
            const p = producing.get(m.rid);
            producing.delete(m.rid);
            if (m.ok) p?.resolve(m.weights);
            else p?.reject(fromWireError(m.error));
            return;
          }
          case "outcome":
            finish(m.outcome);
            return;
        }
      };
      const onError = (err: Error): void => {
        this.thread = undefined;
        void thread.terminate();
        finish({ kind: "failed", error: { name: "TrainingThreadError", message: `training thread crashed: ${err.message}` }, retryable: true });
      };
      const onExit = (code: number): void => {
        this.thread = undefined;
        finish({ kind: "failed", error: { name: "TrainingThreadError", message: `training thread exited with code ${code}` }, retryable: true });
      };
      thread.on("message", onMessage);
      thread.on("error", onError);
      thread.on("exit", onExit);
      hooks.signal.addEventListener("abort", onAbort, { once: true });
      if (hooks.signal.aborted) onAbort();
      post({ t: "run", req });
    });
  }

  /** Stops the thread. */
  async close(): Promise<void> {
    const t = this.thread;
    this.thread = undefined;
    if (t) await t.terminate();
  }
}
