import {
  Server,
  ServerCredentials,
  status,
  type ServerDuplexStream,
  type ServerUnaryCall,
  type sendUnaryData,
  type ServiceError,
  type Metadata,
} from "@grpc/grpc-js";
import {
  CampaignsService,
  DecisionKind,

  TrialReportService,
  type Campaign,
  type CampaignsServer,
  type CoordinatorMessage,
  type ListCampaignsResponse,
  type ListTrialsResponse,
  type ParetoFront,
  type TrialReportServer,
  type WorkerMessage,
} from "@prunesweep/proto";
import { HealthImplementation } from "grpc-health-check";
import type { Coordinator } from "../coordinator.js";
import { isFinished } from "../domain/trial.js";
import type { Logger } from "../logger.js";
import { summaryOf } from "../results/campaign-summary.js";
import { campaignToProto, objectivesToProto, trialToProto } from "./convert.js";
import { toServiceError } from "./grpc-errors.js";


export interface GrpcServerOptions {
  /** Host to bind. @default "0.0.0.0" */
  readonly host: string;
  /** Port to bind; 0 picks a free one. @default 50051 */
  readonly port: number;
  /** Credentials; insecure when omitted. */
  readonly credentials?: ServerCredentials;
  /**
   * Checks a call's metadata; returns an error message to reject it with UNAUTHENTICATED.
   * Nothing a rejected caller sends is recorded.
   */
  readonly authorize?: (metadata: Metadata) => string | undefined;
}

/**
 * Keepalive and message-size settings of the server. grpc-js supports these channel options
 * (its README's list); the keepalive values match the worker's client (30 s ping, 10 s
 * timeout, pings allowed without calls).
 */
const SERVER_CHANNEL_OPTIONS = {
  "grpc.keepalive_time_ms": 30_000,
  "grpc.keepalive_timeout_ms": 10_000,
  "grpc.keepalive_permit_without_calls": 1,
  "grpc.max_receive_message_length": 4 * 1024 * 1024,
} as const;

/** A running gRPC server bound to a coordinator. */
export interface RunningGrpcServer {
  readonly port: number;
  readonly server: Server;
  /** grpc.health.v1 status: SERVING until shutdown starts. */
  readonly health: HealthImplementation;
  /** Stops accepting calls and waits up to `graceMs` for open ones, then cancels them. */
  shutdown(graceMs?: number): Promise<void>;
}

/** Binds the TrialReport (workers) and Campaigns (operators) services to `coordinator`. */
export async function startGrpcServer(
  coordinator: Coordinator,
  log: Logger,
  options: GrpcServerOptions,
): Promise<RunningGrpcServer> {
  const server = new Server(SERVER_CHANNEL_OPTIONS);
  server.addService(TrialReportService, trialReportHandlers(coordinator, log, options));
  server.addService(CampaignsService, campaignsHandlers(coordinator, options));
  const health = new HealthImplementation({
    "": "SERVING",
    "prunesweep.v1.TrialReport": "SERVING",
    "prunesweep.v1.Campaigns": "SERVING",
  });
  health.addToServer(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${options.host}:${options.port}`, options.credentials ?? ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  log.info("gRPC server listening", { host: options.host, port });
  return {
    port,
    server,
    health,
    shutdown: (graceMs = 5_000) =>
      new Promise<void>((resolve) => {
        for (const name of ["", "prunesweep.v1.TrialReport", "prunesweep.v1.Campaigns"]) health.setStatus(name, "NOT_SERVING");
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}

function unauthenticated(options: GrpcServerOptions, metadata: Metadata): Partial<ServiceError> | undefined {
  const why = options.authorize?.(metadata);
  return why === undefined ? undefined : { code: status.UNAUTHENTICATED, details: why };
}

function trialReportHandlers(coordinator: Coordinator, log: Logger, options: GrpcServerOptions): TrialReportServer {
  return {
    report(call: ServerDuplexStream<WorkerMessage, CoordinatorMessage>): void {
      const denied = unauthenticated(options, call.metadata);
      if (denied) {
        call.emit("error", denied);
        return;
      }
      // Handle one message at a time per stream, in order.
      let chain: Promise<void> = Promise.resolve();
      let closed = false;
      const send = (m: CoordinatorMessage): void => {
        if (!closed) call.write(m);
      };
      call.on("data", (msg: WorkerMessage) => {
        chain = chain.then(async () => {
          if (closed) return;
          try {
            await handleWorkerMessage(coordinator, msg, send);
          } catch (err) {
            closed = true;
            log.warn("report rejected", { trial: msg.trialId, error: err instanceof Error ? err.message : String(err) });
            call.emit("error", toServiceError(err));
          }
        });
      });
      call.on("end", () => {
        void chain.then(() => {
          if (!closed) {
            closed = true;
            call.end();
          }
        });
      });
      call.on("error", () => {
        closed = true;
      });
    },
  };
}

async function handleWorkerMessage(
  coordinator: Coordinator,
  msg: WorkerMessage,
  send: (m: CoordinatorMessage) => void,
): Promise<void> {
  const runner = coordinator.reports(msg.campaignId);
  const { trialId, attempt, seq } = msg;
  const trial = coordinator.campaign(msg.campaignId).trial(trialId); // NOT_FOUND for unknown trials
  runner.seen(trialId);
  const ack = (final = false): void => send({ trialId, attempt, payload: { $case: "ack", value: { seq, final } } });
  const p = msg.payload;
  if (!p) throw new RangeError("worker message without payload");
  switch (p.$case) {
    case "hello": {
      const answer = await runner.hello(trialId, attempt, p.value.workerId, p.value.backend);
      if (answer.kind === "cancel") send({ trialId, attempt, payload: { $case: "cancel", value: { reason: answer.reason } } });
      else ack();
      return;
    }
    case "progress": {
      const d = await runner.progress(trialId, attempt, p.value.step, p.value.phase, p.value.metrics);
      send({
        trialId,
        attempt,
        payload: {
          $case: "decision",
          value: { step: p.value.step, kind: d === "stop" ? DecisionKind.DECISION_KIND_STOP : DecisionKind.DECISION_KIND_CONTINUE },
        },
      });
      ack();
      return;
    }
    case "heartbeat":
      // A trial already final (timed out here, say) is cancelled on the worker that still runs it.
      if (isFinished(trial.state)) send({ trialId, attempt, payload: { $case: "cancel", value: { reason: `trial is already ${trial.state}${trial.error ? `: ${trial.error}` : ""}` } } });
      else ack();
      return;
    case "result":
      await runner.result({
        trialId,
        attempt,
        metrics: p.value.metrics,
        details: p.value.detailsJson ? (JSON.parse(p.value.detailsJson) as unknown) : undefined,
        wallMs: p.value.wallMs,
        stoppedEarly: p.value.stoppedEarly,
        lastStep: p.value.lastStep,
      });
      ack(true);
      return;
    case "failure":
      await runner.failure({
        trialId,
        attempt,
        error: `${p.value.errorName}: ${p.value.message}`,
        retryable: p.value.retryable,
      });
      ack(true);
      return;
  }
}

function unary<Req, Res>(
  options: GrpcServerOptions,
  fn: (req: Req) => Promise<Res> | Res,
): (call: ServerUnaryCall<Req, Res>, cb: sendUnaryData<Res>) => void {
  return (call, cb) => {
    const denied = unauthenticated(options, call.metadata);
    if (denied) {
      cb(denied, null);
      return;
    }
    Promise.resolve()
      .then(() => fn(call.request))
      .then(
        (res) => cb(null, res),
        (err: unknown) => cb(toServiceError(err), null),
      );
  };
}

function campaignsHandlers(coordinator: Coordinator, options: GrpcServerOptions): CampaignsServer {
  const describe = (id: string): Campaign => {
    const c = coordinator.campaign(id);
    return campaignToProto(c, summaryOf(c).front.hypervolume);
  };
  return {
    submit: unary(options, async (req: { specYaml: string }) => describe((await coordinator.submit(req.specYaml, "request")).id)),
    get: unary(options, (req: { campaignId: string }) => describe(req.campaignId)),
    list: unary(options, (): ListCampaignsResponse => ({ campaigns: coordinator.campaigns().map((c) => describe(c.id)) })),
    listTrials: unary(options, (req: { campaignId: string }): ListTrialsResponse => {
      const c = coordinator.campaign(req.campaignId);
      return { trials: c.trials().map((t) => trialToProto(t, c.spec)) };
    }),
    getParetoFront: unary(options, (req: { campaignId: string }): ParetoFront => {
      const c = coordinator.campaign(req.campaignId);
      const f = summaryOf(c).front;
      return {
        objectives: objectivesToProto(c.spec.objectives),
        trials: f.front.map((t) => trialToProto(t, c.spec)),
        hypervolume: f.hypervolume,
      };
    }),
    cancel: unary(options, async (req: { campaignId: string; reason: string }) => {
      await coordinator.cancel(req.campaignId, req.reason || undefined);
      return describe(req.campaignId);
    }),
    retry: unary(options, async (req: { campaignId: string; trialNumbers: number[] }) => {
      await coordinator.retry(req.campaignId, req.trialNumbers.length > 0 ? req.trialNumbers : undefined);
      return describe(req.campaignId);
    }),
  };
}
