import { readFileSync } from "node:fs";
import { ChannelCredentials, Metadata, status, type CallOptions, type ServiceError } from "@grpc/grpc-js";
import { CampaignsClient, Direction, fromParamMap, type Campaign, type ListCampaignsResponse, type ListTrialsResponse, type ParetoFront, type Trial } from "@prunesweep/proto";
import type { OperatorConfig } from "../config.js";
import type { ResultsTrial, RemoteCampaignInfo } from "../results/results-file.js";
import { CampaignNotFoundError, SweepError } from "../errors.js";
import { trialStateFromProto } from "./convert.js";

/**
 * A call to the coordinator failed. `code` is the gRPC status name (`UNAUTHENTICATED`,
 * `INVALID_ARGUMENT`, `UNAVAILABLE`, ...); the CLI exits 2 for INVALID_ARGUMENT, else 1.
 */
export class CoordinatorCallError extends SweepError {
  constructor(
    message: string,
    readonly code: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Client-side hints per status (the one table for this direction, see grpc-errors.ts). */
const HINTS: Partial<Record<status, string>> = {
  [status.UNAUTHENTICATED]: "pass the coordinator's token with --token-file FILE or PRUNESWEEP_TOKEN(_FILE)",
  [status.UNAVAILABLE]: "is the coordinator running and the address (or port-forward) right?",
  [status.DEADLINE_EXCEEDED]: "the coordinator did not answer in time",
};

function fromServiceError(err: ServiceError, address: string, what: string): Error {
  if (err.code === status.NOT_FOUND) return new CampaignNotFoundError(err.details || `${what}: not found`, { cause: err });
  const name = status[err.code] ?? String(err.code);
  const hint = HINTS[err.code as status];
  return new CoordinatorCallError(`${what} at ${address} failed: ${name}: ${err.details || err.message}${hint ? ` (${hint})` : ""}`, name, { cause: err });
}

function campaignFromProto(c: Campaign): RemoteCampaignInfo {
  const k = c.counts;
  return {
    id: c.id,
    name: c.name,
    state: c.state,
    objectives: c.objectives.map((o) => ({ metric: o.metric, direction: o.direction === Direction.DIRECTION_MINIMIZE ? "minimize" : "maximize" })),
    counts: {
      waiting: k?.waiting ?? 0,
      running: k?.running ?? 0,
      completed: k?.completed ?? 0,
      stopped_early: k?.stoppedEarly ?? 0,
      failed: k?.failed ?? 0,
      cancelled: k?.cancelled ?? 0,
    },
    specYaml: c.specYaml,
    hypervolume: c.hypervolume,
    maxTrials: c.maxTrials,
  };
}

function trialFromProto(t: Trial): ResultsTrial {
  let details: unknown;
  try {
    details = t.detailsJson ? (JSON.parse(t.detailsJson) as unknown) : undefined;
  } catch {
    details = undefined;
  }
  return {
    id: t.id,
    number: t.number,
    state: trialStateFromProto(t.state),
    params: fromParamMap(t.params),
    metrics: { ...t.metrics },
    attempts: t.attempts,
    ...(t.error && { error: t.error }),
    ...(details !== undefined && { details }),
    timings: {
      ...(t.createdAtMs ? { createdAt: t.createdAtMs } : {}),
      ...(t.startedAtMs ? { startedAt: t.startedAtMs } : {}),
      ...(t.finishedAtMs ? { finishedAt: t.finishedAtMs } : {}),
      ...(t.wallMs ? { wallMs: Number(t.wallMs) } : {}),
    },
    ...(t.workerId && { worker: t.workerId }),
    ...(t.backend && { backend: t.backend }),
    ...(t.progress.length > 0 && { progress: t.progress.map((p) => ({ step: p.step, phase: p.phase, metrics: { ...p.metrics } })) }),
  };
}

/**
 * The operator side of the coordinator's `Campaigns` gRPC service. Sends the bearer token as
 * `authorization: Bearer <token>` metadata on every call (over plaintext too, so that a
 * `kubectl port-forward` to a coordinator without TLS works); verifies TLS with the given CA.
 */
export class GrpcCampaignsClient {
  private readonly client: CampaignsClient;
  private readonly metadata = new Metadata();

  constructor(private readonly config: OperatorConfig) {
    const creds = config.tlsCaFile ? ChannelCredentials.createSsl(readFileSync(config.tlsCaFile)) : ChannelCredentials.createInsecure();
    this.client = new CampaignsClient(config.coordinator, creds, {
      ...(config.tlsServerName && { "grpc.ssl_target_name_override": config.tlsServerName, "grpc.default_authority": config.tlsServerName }),
    });
    if (config.authToken) this.metadata.set("authorization", `Bearer ${config.authToken}`);
  }

  /** Submits a spec; the coordinator validates it again. */
  async submit(specYaml: string): Promise<RemoteCampaignInfo> {
    return campaignFromProto(await this.call<Campaign>("submit", (cb, md, o) => this.client.submit({ specYaml }, md, o, cb)));
  }

  async get(campaignId: string): Promise<RemoteCampaignInfo> {
    return campaignFromProto(await this.call<Campaign>(`campaign ${campaignId}`, (cb, md, o) => this.client.get({ campaignId }, md, o, cb)));
  }

  async list(): Promise<RemoteCampaignInfo[]> {
    const r = await this.call<ListCampaignsResponse>("list", (cb, md, o) => this.client.list({}, md, o, cb));
    return r.campaigns.map(campaignFromProto);
  }

  async listTrials(campaignId: string): Promise<ResultsTrial[]> {
    const r = await this.call<ListTrialsResponse>(`trials of ${campaignId}`, (cb, md, o) => this.client.listTrials({ campaignId }, md, o, cb));
    return r.trials.map(trialFromProto);
  }

  /** The front over the campaign's own objectives, as the coordinator computes it. */
  async paretoFront(campaignId: string): Promise<{ trials: ResultsTrial[]; hypervolume: number }> {
    const r = await this.call<ParetoFront>(`front of ${campaignId}`, (cb, md, o) => this.client.getParetoFront({ campaignId }, md, o, cb));
    return { trials: r.trials.map(trialFromProto), hypervolume: r.hypervolume };
  }

  /** Runs failed trials again: `trialNumbers`, or every failed trial when empty. */
  async retry(campaignId: string, trialNumbers: readonly number[] = []): Promise<RemoteCampaignInfo> {
    return campaignFromProto(await this.call<Campaign>(`retry ${campaignId}`, (cb, md, o) => this.client.retry({ campaignId, trialNumbers: [...trialNumbers] }, md, o, cb)));
  }

  async cancel(campaignId: string, reason = ""): Promise<RemoteCampaignInfo> {
    return campaignFromProto(await this.call<Campaign>(`cancel ${campaignId}`, (cb, md, o) => this.client.cancel({ campaignId, reason }, md, o, cb)));
  }

  close(): void {
    this.client.close();
  }

  private call<T>(what: string, fn: (cb: (err: ServiceError | null, res: T) => void, md: Metadata, o: Partial<CallOptions>) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      fn(
        (err, res) => (err ? reject(fromServiceError(err, this.config.coordinator, what)) : resolve(res)),
        this.metadata.clone(),
        { deadline: Date.now() + this.config.callTimeoutMs },
      );
    });
  }
}
