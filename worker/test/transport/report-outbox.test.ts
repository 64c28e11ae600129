import { silentLogger, type WorkerMessage } from "@prunesweep/proto";
import { describe, expect, it } from "vitest";
import { until } from "../helpers.js";
import { ReportRejectedError, ReportSessionClosedError } from "../../src/errors.js";
import { InMemoryReportStreams } from "../../src/testing.js";
import { ReportOutbox } from "../../src/transport/report-outbox.js";

const IDS = { campaignId: "c1", trialId: "c1-00000", attempt: 2 };
const RESULT = { $case: "result", value: { metrics: { accuracy: 0.9 }, detailsJson: "{}", wallMs: 5, stoppedEarly: false, lastStep: 2 } } as const;

function outbox(o: { decisionTimeoutMs?: number } = {}) {
  const streams = new InMemoryReportStreams();
  let closedChannel = 0;
  const session = new ReportOutbox(IDS, streams.open, {
    log: silentLogger,
    reconnect: { firstMs: 10, maxMs: 40 },
    onClose: () => closedChannel++,
    ...o,
  });
  return { streams, session, closedChannel: () => closedChannel };
}

const kinds = (ms: readonly WorkerMessage[]): string[] => ms.map((m) => `${m.payload?.$case}#${m.seq}`);


describe("ReportOutbox", () => {
  it("numbers every message, keeps it until the coordinator acks it, and resolves hello and finish on their acks", async () => {
    const { streams, session } = outbox();
    const hello = session.hello("w1", "cpu", "0.1.0");
    const s = streams.current;
    expect(s.written[0]).toMatchObject({ ...IDS, seq: 1, payload: { $case: "hello", value: { workerId: "w1", backend: "cpu" } } });
    s.ack(1);
    expect(await hello).toBe("run");
    let finished = false;
    const fin = session.finish(RESULT).then(() => (finished = true));
    expect(session.pending).toBe(1);
    await new Promise((r) => setTimeout(r, 5));
    expect(finished).toBe(false);
    s.ack(2, true);
    await fin;
    expect(session.pending).toBe(0);
  });

  it("re-sends the unacknowledged reports in order on a new stream after a break, but not heartbeats", async () => {
    const { streams, session } = outbox();
    void session.hello("w1", "cpu", "0.1.0");
    streams.current.ack(1);
    void session.progress(1, "finetune", { val_accuracy: 0.5 });
    session.heartbeat();
    const fin = session.finish(RESULT);
    const first = streams.current;
    expect(kinds(first.written)).toEqual(["hello#1", "progress#2", "heartbeat#3", "result#4"]);
    first.break({ fatal: false, code: 14, details: "connection reset" }); // UNAVAILABLE
    await until(() => streams.streams.length === 2);
    const second = streams.current;
    expect(kinds(second.written)).toEqual(["progress#2", "result#4"]);
    second.ack(2);
    second.ack(4, true);
    await fin;
    expect(session.pending).toBe(0);
  });

  it("keeps re-sending across several breaks until a stream acks", async () => {
    const { streams, session } = outbox();
    const fin = session.finish(RESULT);
    for (let i = 1; i <= 3; i++) {
      streams.current.break(undefined);
      await until(() => streams.streams.length === i + 1);
      expect(kinds(streams.current.written)).toEqual(["result#1"]);
    }
    streams.current.ack(1, true);
    await fin;
  });

  it("reopens lazily when a stream ends with nothing pending", async () => {
    const { streams, session } = outbox();
    void session.hello("w1", "cpu", "0.1.0");
    streams.current.ack(1);
    streams.current.break(undefined);
    await new Promise((r) => setTimeout(r, 60));
    expect(streams.streams).toHaveLength(1);
    const fin = session.finish(RESULT);
    expect(streams.streams).toHaveLength(2);
    streams.current.ack(2, true);
    await fin;
  });

  it("answers progress with the coordinator's decision, continues when none comes in time or while reconnecting", async () => {
    const { streams, session } = outbox({ decisionTimeoutMs: 30 });
    const stop = session.progress(1, "finetune", { val_accuracy: 0.4 });
    streams.current.decide(1, "stop");
    expect(await stop).toBe("stop");
    expect(await session.progress(2, "finetune", { val_accuracy: 0.5 })).toBe("continue"); // timed out
    streams.current.break(undefined);
    const t0 = Date.now();
    expect(await session.progress(3, "finetune", { val_accuracy: 0.6 })).toBe("continue");
    expect(Date.now() - t0).toBeLessThan(25); // did not wait for a decision
  });

  it("rejects pending and later reports with ReportRejectedError when the coordinator refuses for good", async () => {
    const { streams, session } = outbox();
    const fin = session.finish(RESULT);
    streams.current.break({ fatal: true, code: 16, details: "missing or bad bearer token" }); // UNAUTHENTICATED
    await expect(fin).rejects.toThrow(ReportRejectedError);
    await expect(fin).rejects.toThrow("coordinator rejected the report: missing or bad bearer token");
    await expect(session.finish(RESULT)).rejects.toMatchObject({ name: "ReportRejectedError", code: 16 });
    await new Promise((r) => setTimeout(r, 60));
    expect(streams.streams).toHaveLength(1); // no reconnect
  });

  it("on cancel: answers hello 'cancel', settles pending reports, stops decisions and tells the worker", async () => {
    const { streams, session } = outbox();
    const reasons: string[] = [];
    session.onCancel = (r) => reasons.push(r);
    const hello = session.hello("w1", "cpu", "0.1.0");
    const decision = session.progress(1, "finetune", {});
    streams.current.cancel("trial is already completed");
    expect(await hello).toBe("cancel");
    expect(await decision).toBe("stop");
    expect(session.cancelledReason).toBe("trial is already completed");
    expect(reasons).toEqual(["trial is already completed"]);
    expect(session.pending).toBe(0);
    expect(await session.progress(2, "finetune", {})).toBe("stop");
  });

  it("close() ends the stream, gives up pending reports and never reconnects", async () => {
    const { streams, session, closedChannel } = outbox();
    const fin = session.finish(RESULT);
    const s = streams.current;
    s.break(undefined);
    session.close();
    session.close();
    await expect(fin).rejects.toThrow(ReportSessionClosedError);
    await new Promise((r) => setTimeout(r, 60));
    expect(streams.streams).toHaveLength(1);
    expect(closedChannel()).toBe(1);
    await expect(session.finish(RESULT)).rejects.toThrow(ReportSessionClosedError);
  });
});
