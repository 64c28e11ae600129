import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

describe("proto/src/gen", () => {
  it("is what the generator produces from proto/schema (regenerating changes nothing)", () => {
    const script = fileURLToPath(new URL("../../proto/scripts/gen.mjs", import.meta.url));
    let out = "";
    try {
      out = execFileSync(process.execPath, [script, "--check"], { encoding: "utf8", stdio: "pipe" });
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string };
      expect.fail(`regeneration changes proto/src/gen:\n${e.stderr ?? ""}${e.stdout ?? ""}`);
    }
    expect(out).toContain("up to date");
  });
});
