import { describe, expect, it } from "vitest";
import { createWithReplicas, DEFAULT_NATS_REPLICAS, natsOptionsFrom, natsReplicasFrom, natsServers, replicasRefusal } from "../src/nats-settings.js";

describe("natsServers", () => {
  it("reads one URL or a cluster's comma-separated URLs", () => {
    expect(natsServers("nats://a:4222")).toEqual(["nats://a:4222"]);
    expect(natsServers("nats://a:4222, nats://b:4222 ,nats://c:4222,")).toEqual(["nats://a:4222", "nats://b:4222", "nats://c:4222"]);
  });
});

describe("replicasRefusal", () => {
  it("explains nats-server's refusals of replicas > 1 without a cluster and of more replicas than servers", () => {
    expect(replicasRefusal("stream S", 3, "replicas > 1 not supported in non-clustered mode")).toBe(
      "--nats-replicas 3: cannot create stream S (server: replicas > 1 not supported in non-clustered mode): the NATS server is not in a JetStream cluster; use --nats-replicas 1, or a cluster of at least 3 servers",
    );
    expect(replicasRefusal("KV bucket B", 5, "no suitable peers for placement")).toBe(
      "--nats-replicas 5: cannot create KV bucket B (server: no suitable peers for placement): the JetStream cluster has fewer than 5 servers up; use at most as many replicas as servers, or start the missing servers",
    );
    expect(replicasRefusal("stream S", 3, "no suitable peers for placement, peer offline")).toContain("fewer than 3 servers up");
    expect(replicasRefusal("stream S", 3, "stream name already in use")).toBeUndefined();
    expect(DEFAULT_NATS_REPLICAS).toBe(1);
  });

  it("createWithReplicas rethrows a refusal through toError and anything else unchanged", async () => {
    const toError = (message: string, cause: unknown) => new RangeError(message, { cause });
    const refused = new Error("replicas > 1 not supported in non-clustered mode");
    const err: unknown = await createWithReplicas("stream S", 3, () => Promise.reject(refused), toError).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RangeError);
    expect((err as RangeError).cause).toBe(refused);
    const other = new Error("timeout");
    await expect(createWithReplicas("stream S", 3, () => Promise.reject(other), toError)).rejects.toBe(other);
    await expect(createWithReplicas("stream S", 3, () => Promise.resolve(7), toError)).resolves.toBe(7);
  });
});

describe("natsOptionsFrom", () => {
  it("takes credentials from the flags first, then NATS_USER / NATS_PASSWORD / NATS_TOKEN / NATS_CREDS", () => {
    const env = { NATS_USER: "envuser", NATS_PASSWORD: "envpass", NATS_TOKEN: "envtoken", NATS_CREDS: "/env.creds" };
    expect(natsOptionsFrom("nats://a:4222", {}, env, "n")).toEqual({ url: "nats://a:4222", name: "n", user: "envuser", pass: "envpass", token: "envtoken", credsFile: "/env.creds" });
    expect(natsOptionsFrom("nats://a:4222", { natsUser: "u", natsPass: "p", natsToken: "t", natsCreds: "/c" }, env, "n")).toEqual({
      url: "nats://a:4222",
      name: "n",
      user: "u",
      pass: "p",
      token: "t",
      credsFile: "/c",
    });
    expect(natsOptionsFrom("nats://a:4222", {}, { NATS_USER: "" }, "n")).toEqual({ url: "nats://a:4222", name: "n" });
  });
});

describe("natsReplicasFrom", () => {
  it("reads --nats-replicas, then PRUNESWEEP_NATS_REPLICAS, else the default; names a bad value", () => {
    expect(natsReplicasFrom({}, {})).toBe(DEFAULT_NATS_REPLICAS);
    expect(natsReplicasFrom({}, { PRUNESWEEP_NATS_REPLICAS: "3" })).toBe(3);
    expect(natsReplicasFrom({ natsReplicas: "5" }, { PRUNESWEEP_NATS_REPLICAS: "3" })).toBe(5);
    expect(() => natsReplicasFrom({ natsReplicas: "0" }, {})).toThrow('--nats-replicas: must be an integer >= 1, got "0"');
    expect(() => natsReplicasFrom({}, { PRUNESWEEP_NATS_REPLICAS: "x" })).toThrow('got "x"');
  });
});
