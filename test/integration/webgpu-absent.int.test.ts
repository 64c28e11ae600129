import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCluster, type TestCluster } from "../harness/cluster.js";
import { NO_WEBGPU_ENV, spawnWorker, stop, type Spawned } from "../harness/processes.js";
import { tinySpec } from "../fixtures/tiny-spec.js";

// A worker process whose Vulkan loader finds no driver (as on CI, or a GPU node without the
// NVIDIA Vulkan ICD): a `backend: webgpu` campaign fails each trial once, non-retryably, with
// a message that names what is missing; nothing is trained elsewhere.
describe("backend: webgpu on a worker without a WebGPU adapter", () => {
  let cluster: TestCluster;
  let worker: Spawned;

  beforeAll(async () => {
    cluster = await startTestCluster();
    // --backend webgpu: what "auto" means on this worker.
    worker = spawnWorker(cluster.nats.url, "w-nogpu", ["--backend", "webgpu"], NO_WEBGPU_ENV);
  });

  afterAll(async () => {
    if (worker) await stop(worker);
    await cluster?.close();
  });

  it.each([["webgpu"], ["auto"]])("task backend %s: fails every trial after one attempt with the reason", async (backend) => {
    const spec = tinySpec(`int-webgpu-absent-${backend}`, 2, 2).replace("backend: auto", `backend: ${backend}`);
    const campaign = await cluster.coordinator.submit(spec, `${backend}.yaml`);
    await campaign.finished;
    const trials = campaign.trials();
    expect(trials).toHaveLength(2);
    for (const t of trials) {
      expect(t.state).toBe("failed");
      expect(t.attempts, t.id).toBe(1);
      expect(t.error).toContain('backend "webgpu" requested but no adapter');
      expect(t.error).toContain("VK_DRIVER_FILES/VK_ICD_FILENAMES=/nonexistent/prunesweep-no-icd.json");
      expect(t.error).toContain('NVIDIA_DRIVER_CAPABILITIES must include graphics (it is "compute,utility")');
    }
  });
});
