/** Base of the coordinator's errors; every subclass carries `name` and an optional `cause`. */
export class SweepError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** One problem in a campaign spec, located by its dotted path (`space.sparsity.max`). */
export interface SpecIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * A campaign spec is invalid. `message` lists every issue as `path: message`, one per line,
 * prefixed by the source (file name) when known. The CLI exits with code 2 on this error.
 */
export class SpecError extends SweepError {
  readonly issues: readonly SpecIssue[];
  readonly source: string | undefined;
  constructor(issues: readonly SpecIssue[], source?: string) {
    const where = source ? `${source}: ` : "";
    super(`${where}invalid campaign spec:\n${issues.map((i) => `  ${i.path || "(root)"}: ${i.message}`).join("\n")}`);
    this.issues = issues;
    this.source = source;
  }
}

export class CampaignNotFoundError extends SweepError {}
export class TrialNotFoundError extends SweepError {}
/** A conflicting update to a finished trial. Maps to gRPC FAILED_PRECONDITION. */
export class TrialAlreadyFinishedError extends SweepError {}
export class InvalidSearchSpaceError extends SweepError {}
/** A retry that cannot be done (unknown trial, not failed, cancelled campaign). Maps to gRPC INVALID_ARGUMENT; the CLI exits 2. */
export class InvalidRetryError extends SweepError {}
/**
 * A flag or variable has an invalid value, or one the NATS deployment cannot honour
 * (--nats-replicas above the cluster's size). The CLI exits with code 2.
 */
export class ConfigError extends SweepError {}
/** The NATS server or another dependency could not be reached in time. */
export class UnreachableError extends SweepError {}
