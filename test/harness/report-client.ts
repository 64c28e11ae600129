import { credentials, Metadata, type ClientDuplexStream, type ServiceError } from "@grpc/grpc-js";
import { TrialReportClient, type CoordinatorMessage, type WorkerMessage } from "@prunesweep/proto";

/**
 * A hand-driven TrialReport stream for tests that play a (misbehaving) worker: sends the
 * given messages in order and collects every answer until the server ends the stream.
 */
export async function exchange(
  endpoint: string,
  messages: readonly WorkerMessage[],
  token?: string,
): Promise<{ replies: CoordinatorMessage[]; error?: ServiceError }> {
  const client = new TrialReportClient(endpoint, credentials.createInsecure());
  const md = new Metadata();
  if (token) md.set("authorization", `Bearer ${token}`);
  const call: ClientDuplexStream<WorkerMessage, CoordinatorMessage> = client.report(md);
  const replies: CoordinatorMessage[] = [];
  try {
    return await new Promise((resolve) => {
      call.on("data", (m: CoordinatorMessage) => replies.push(m));
      call.on("error", (error: ServiceError) => resolve({ replies, error }));
      call.on("end", () => resolve({ replies }));
      for (const m of messages) call.write(m);
      call.end();
    });
  } finally {
    client.close();
  }
}
