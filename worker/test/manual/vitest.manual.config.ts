import { defineConfig } from "vitest/config";

/** Manual measurements (not part of the unit suite): `npx vitest run --config worker/test/manual/vitest.manual.config.ts`. */
export default defineConfig({
  test: {
    include: ["worker/test/manual/**/*.manual.ts"],
    testTimeout: 1_800_000,
    pool: "forks",
  },
});
