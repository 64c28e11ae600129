import { Worker as Thread } from "node:worker_threads";
import type { BackendPreference, SelectionLog } from "../backend/select-backend.js";
import type { TrialDeps } from "../trial/run-trial.js";
import type { SerializedWeights } from "../models/serialized-weights.js";
import type { TrialHooks, TrialOutcome, TrialRequest } from "../trial/types.js";
import { fromWireError, toWireError, type FromThread, type SelectionLine, type ToThread } from "./protocol.js";

/** How long an aborted trial may take to reach its next step before its thread is ended. */
const ABORT_GRACE_MS = 5_000;

/**
 * Runs trials in a long-lived worker_thread (tfjs backend and dataset caches survive across
 * trials), one at a time. The main thread stays free for heartbeats; hooks, the pretrained
 * store and the checkpoint store are served here. A crashed thread fails its trial as
 * retryable and is replaced; a trial that does not stop within {@link ABORT_GRACE_MS} of its
 * abort (stuck in a kernel) ends as aborted with its thread, which is replaced.
 *
 * The backend is selected in the thread too ({@link backend}): the main thread never loads
 * TensorFlow.js, and a worker that asks for its backend at start-up has the thread import the
 * trial code and initialise the backend while the main thread connects to NATS.
 */
export class TrialThread {
  private thread: Thread | undefined;
  private nextRid = 1;
  /** Backend selections of the current thread, per preference. */
  private readonly selections = new Map<BackendPreference, Promise<{ backend: string; line?: SelectionLine }>>();
  /** Preferences whose selection line has been logged. */
  private readonly logged = new Set<BackendPreference>();
  /** Pending `backend` requests of the current thread. */
  private pendingBackends = new Map<number, { resolve: (v: { backend: string; line?: SelectionLine }) => void; reject: (e: Error) => void }>();

  constructor(private readonly entry: URL = new URL("./entry.js", import.meta.url)) {}

  /** The thread, started when there is none (a crashed or ended one is replaced). */
  private ensure(): Thread {
    if (this.thread) return this.thread;
    const thread = new Thread(this.entry);
    this.thread = thread;
    this.selections.clear();
    const pending: typeof this.pendingBackends = new Map();
    this.pendingBackends = pending;
    const failAll = (why: string): void => {
      for (const p of pending.values()) p.reject(new Error(why));
      pending.clear();
      if (this.thread !== thread) return;
      // Ended between trials: the next call starts a new one.
      this.thread = undefined;
      this.selections.clear();
    };
    thread.on("message", (m: FromThread) => {
      if (m.t !== "backend") return;
      const p = pending.get(m.rid);
      pending.delete(m.rid);
      if (m.ok) p?.resolve({ backend: m.backend, ...(m.line && { line: m.line }) });
      else p?.reject(fromWireError(m.error));
    });
    // A crash is the running trial's failure (run() reports it); a backend request fails with it.
    thread.on("error", (err) => failAll(`training thread crashed: ${err.message}`));
    thread.on("exit", (code) => failAll(`training thread exited with code ${code}`));
    return thread;
  }

  /**
   * The tfjs backend a trial asking for `requested` gets (selected, and loaded, in the thread;
   * memoised per preference). The selection line is reported to `log` the first time a caller
   * passes one.
   * @throws the selection's error (by name: BackendUnavailableError, WebGpuUnavailableError)
   */
  async backend(requested: BackendPreference, log?: SelectionLog): Promise<string> {
    let p = this.selections.get(requested);
    if (!p) {
      const thread = this.ensure();
      const rid = this.nextRid++;
      p = new Promise((resolve, reject) => this.pendingBackends.set(rid, { resolve, reject }));
      const selection = p;
      this.selections.set(requested, selection);
      selection.catch(() => {
        if (this.selections.get(requested) === selection) this.selections.delete(requested);
      });
      thread.postMessage({ t: "backend", rid, requested } satisfies ToThread);
    }
    const sel = await p;
    if (log && sel.line && !this.logged.has(requested)) {
      this.logged.add(requested);
      log(sel.line.msg, sel.line.fields);
    }
    return sel.backend;
  }

  /** Same contract as `runTrial`: never throws; failures come back as outcomes. */
  run(req: TrialRequest, hooks: TrialHooks, deps: TrialDeps): Promise<TrialOutcome> {
    const thread = this.ensure();
    const post = (m: ToThread): void => thread.postMessage(m);
    return new Promise<TrialOutcome>((resolve) => {
      const producing = new Map<number, { resolve: (w: SerializedWeights) => void; reject: (e: Error) => void }>();
      let killTimer: NodeJS.Timeout | undefined;
      const onAbort = (): void => {
        const reason = String((hooks.signal.reason as Error | undefined)?.message ?? "aborted");
        post({ t: "abort", reason });
        killTimer = setTimeout(() => {
          this.thread = undefined;
          void thread.terminate();
          finish({ kind: "aborted", reason: `${reason}; the trial did not stop within ${ABORT_GRACE_MS} ms, so its training thread was ended` });
        }, ABORT_GRACE_MS);
      };
      const finish = (o: TrialOutcome): void => {
        clearTimeout(killTimer);
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
          case "checkpoint.get":
            reply(m.rid, deps.checkpoints ? deps.checkpoints.get(m.name) : Promise.resolve(undefined));
            return;
          case "checkpoint.put":
            reply(m.rid, deps.checkpoints ? deps.checkpoints.put(m.name, m.weights) : Promise.resolve());
            return;
          case "checkpoint.deletePrefix":
            reply(m.rid, deps.checkpoints ? deps.checkpoints.deletePrefix(m.prefix) : Promise.resolve());
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
          case "backend":
            return; // answered by the listener of ensure()
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
      post({ t: "run", req, checkpoints: deps.checkpoints !== undefined });
    });
  }

  /** Stops the thread. */
  async close(): Promise<void> {
    const t = this.thread;
    this.thread = undefined;
    if (t) await t.terminate();
  }
}
