/**
 * The live dashboard in a real browser: a coordinator process with its HTTP server, a
 * campaign submitted over gRPC, real worker processes, and headless Chromium (Debian's
 * `chromium`, driven by playwright-core) watching the Pareto plot fill up through
 * server-sent events. Saves a screenshot (to $PRUNESWEEP_SCREENSHOT_DIR when set).
 * `.ci/run` installs chromium; without it the test skips and prints why.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNatsServer, type LocalNatsServer } from "@prunesweep/coordinator/cli";
import { spawnCli, spawnWorker, stop, type Spawned } from "../harness/processes.js";
import { check } from "../harness/wait.js";
import { CHROMIUM, chromiumMissing, explainSkip } from "../harness/requirements.js";
import { tinySpec } from "../fixtures/tiny-spec.js";

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const unavailable = explainSkip("dashboard.int.test.ts", chromiumMissing());

let dir = "";
let nats: LocalNatsServer;
let coordinator: Spawned;
let browser: Browser;
const workers: Spawned[] = [];

describe.skipIf(unavailable !== undefined)("live dashboard", () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "prunesweep-dashboard-"));
    nats = await startNatsServer({ storeDir: join(dir, "nats") });
    coordinator = spawnCli(["coordinator", "--nats", nats.url, "--host", "127.0.0.1", "--port", "0", "--http-port", "0", "--store", "memory", "--log-level", "warn"]);
    await check(() => /dashboard at (http:\S+)/.test(coordinator.output()), 30_000);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all(workers.map((w) => stop(w)));
    if (coordinator) await stop(coordinator);
    await nats?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("shows the campaign live: Pareto plot, trial table and a trial's progress curve", async () => {
    const address = /listening on (\S+) /.exec(coordinator.output())?.[1] as string;
    const url = /dashboard at (http:\S+)/.exec(coordinator.output())?.[1] as string;
    writeFileSync(join(dir, "spec.yaml"), tinySpec("dash-tiny", 6, 2, 'constraints: ["accuracy >= 0.3"]'));
    const submit = spawnCli(["submit", join(dir, "spec.yaml"), "--coordinator", address, "--json"]);
    expect(await submit.exited, submit.output()).toBe(0);
    const id = (JSON.parse(submit.output()) as { id: string }).id;

    const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(url);
    // The page is open before any worker exists: every point below arrives as a pushed update.
    await page.locator("#summary h2", { hasText: "dash-tiny" }).waitFor({ timeout: 15_000 });
    expect(await page.locator("#pareto .pt").count()).toBe(0);
    for (const w of ["dash-w1", "dash-w2"]) workers.push(spawnWorker(nats.url, w));

    const done = await check(async () => {
      const c = (await (await fetch(`${url}api/campaigns/${id}`)).json()) as { campaign: { status: string; counts: { completed: number } } };
      return c.campaign.status === "completed" ? c.campaign.counts.completed : 0;
    }, 90_000, 500);
    expect(done).toBe(6);
    await expect.poll(() => page.locator("#pareto .pt").count(), { timeout: 15_000, interval: 200 }).toBe(done);
    expect(await page.locator("#pareto .pt.front").count()).toBeGreaterThan(0);
    expect(await page.locator("#tablewrap tbody tr").count()).toBe(6);
    expect(await page.locator("#live").textContent()).toBe("live");

    // Filter by state, sort by a column, open a trial.
    await page.selectOption("#statef", "failed");
    expect(await page.locator("#tablewrap tbody tr").count()).toBe(0);
    await page.selectOption("#statef", "completed");
    await page.click('#tablewrap th[data-k="m:accuracy"]');
    await page.click("#tablewrap tbody tr >> nth=0");
    await page.waitForSelector("#pcurve polyline", { state: "attached", timeout: 10_000 });
    expect(await page.locator("#detail h2").textContent()).toContain("Trial");

    const shots = process.env["PRUNESWEEP_SCREENSHOT_DIR"] ?? dir;
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, "dashboard.png"), fullPage: true });
    expect(existsSync(join(shots, "dashboard.png"))).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  }, 150_000);
});
