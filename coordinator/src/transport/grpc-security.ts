import { ServerCredentials, type Metadata } from "@grpc/grpc-js";
import { timingSafeEqual, createHash } from "node:crypto";
import { readFileSync } from "node:fs";

/**
 * Returns an authorizer for `GrpcServerOptions.authorize`: calls must carry
 * `authorization: Bearer <token>`. Compares digests in constant time; never logs the token.
 */
export function bearerTokenAuthorizer(token: string): (md: Metadata) => string | undefined {
  const want = createHash("sha256").update(token).digest();
  return (md) => {
    const v = md.get("authorization")[0];
    if (typeof v !== "string" || !v.startsWith("Bearer ")) return "missing bearer token";
    const got = createHash("sha256").update(v.slice("Bearer ".length)).digest();
    return timingSafeEqual(got, want) ? undefined : "invalid bearer token";
  };
}

/** Server credentials: TLS with the key pair; mTLS (client certificates required) when a CA is given. */
export function serverCredentials(tls: { certFile: string; keyFile: string; caFile?: string } | undefined): ServerCredentials {
  if (!tls) return ServerCredentials.createInsecure();
  return ServerCredentials.createSsl(
    tls.caFile ? readFileSync(tls.caFile) : null,
    [{ cert_chain: readFileSync(tls.certFile), private_key: readFileSync(tls.keyFile) }],
    tls.caFile !== undefined,
  );
}
