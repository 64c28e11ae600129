import { status, type ServiceError } from "@grpc/grpc-js";
import { Metadata } from "@grpc/grpc-js";

/** Domain error name -> gRPC status: the one table for the coordinator's server side. */
const STATUS_BY_ERROR_NAME: Readonly<Record<string, status>> = {
  CampaignNotFoundError: status.NOT_FOUND,
  TrialNotFoundError: status.NOT_FOUND,
  SpecError: status.INVALID_ARGUMENT,
  InvalidSearchSpaceError: status.INVALID_ARGUMENT,
  InvalidRetryError: status.INVALID_ARGUMENT,
  TrialAlreadyFinishedError: status.FAILED_PRECONDITION,
};

/** Maps any thrown value to a gRPC error with a status code (INTERNAL when unknown). */
export function toServiceError(err: unknown): Partial<ServiceError> {
  const name = err instanceof Error ? err.name : "Error";
  const message = err instanceof Error ? err.message : String(err);
  return { code: STATUS_BY_ERROR_NAME[name] ?? status.INTERNAL, details: message, metadata: new Metadata() };
}
