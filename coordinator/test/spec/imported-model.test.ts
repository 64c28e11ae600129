/** Imported models at submission: checked before dispatch, exits by layer name, method checks, upload refs, a self-contained stored spec. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { blobRefsOf, type BlobFile } from "@prunesweep/proto";
import { SpecError } from "../../src/errors.js";
import { prepareSpec } from "../../src/spec/imported-model.js";

const FIXTURES = join(import.meta.dirname, "..", "..", "..", "test", "fixtures", "tfjs-models");
const tmp = mkdtempSync(join(tmpdir(), "prunesweep-import-spec-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** keras2-lenet.json as `<dir>/model/model.json` with a zero shard of the right size (or `shardBytes`). */
function modelDir(name: string, edit?: (json: Record<string, unknown>) => void, shardBytes = 2706 * 4): string {
  const dir = join(tmp, name);
  mkdirSync(join(dir, "model"), { recursive: true });
  const json = JSON.parse(readFileSync(join(FIXTURES, "keras2-lenet.json"), "utf8")) as Record<string, unknown>;
  edit?.(json);
  writeFileSync(join(dir, "model", "model.json"), JSON.stringify(json));
  writeFileSync(join(dir, "model", "group1-shard1of1.bin"), Buffer.alloc(shardBytes));
  return dir;
}

const spec = (task: string, space = "magnitude.sparsity: { min: 0.5, max: 0.9 }"): string => `
name: mine
task:
  dataset: { synthetic: { samples: 100, features: 144, classes: 10 } }
${task}
objectives:
  - { metric: accuracy, direction: maximize }
space:
  ${space}
budget: { maxTrials: 2 }
`;

async function specError(p: Promise<unknown>): Promise<SpecError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SpecError);
  return err as SpecError;
}

describe("prepareSpec with task.model: {tfjs}", () => {
  it("resolves the path against the spec's folder, takes exits by layer name, does not pretrain by default", async () => {
    const dir = modelDir("ok");
    const p = await prepareSpec(spec("  model: { tfjs: model/model.json }\n  exits: [dropout, 1]"), join(dir, "spec.yaml"));
    expect(p.spec.task.model).toBe("tfjs");
    expect(p.spec.task.modelFile).toEqual({ path: join(dir, "model", "model.json") });
    expect(p.spec.task.exits).toEqual({ positions: [1, 2], every: 0 });
    expect(p.spec.task.pretrain.epochs).toBe(0);
    expect(p.plan?.blocks.map((b) => b.name)).toEqual(["conv1", "fc1", "fc2"]);
    // The stored YAML is self-contained: absolute path, resolved exits.
    expect(p.specYaml).toContain(join(dir, "model", "model.json"));
    const again = await prepareSpec(p.specYaml, "/elsewhere/spec.yaml");
    expect(again.spec.task).toEqual(p.spec.task);
  });

  it("keeps an explicit pretrain, and uploads the files by content hash when given an uploader", async () => {
    const dir = modelDir("upload");
    const uploaded: BlobFile[] = [];
    const p = await prepareSpec(spec("  model: { tfjs: model/model.json }\n  pretrain: { epochs: 2 }"), join(dir, "spec.yaml"), (files) => {
      uploaded.push(...files);
      return Promise.resolve(blobRefsOf(files));
    });
    expect(uploaded.map((f) => f.name)).toEqual(["model.json", "group1-shard1of1.bin"]);
    expect(p.spec.task.pretrain.epochs).toBe(2);
    expect(p.spec.task.modelFile?.blobs?.map((b) => [b.name, b.size])).toEqual([
      ["model.json", readFileSync(join(dir, "model", "model.json")).byteLength],
      ["group1-shard1of1.bin", 2706 * 4],
    ]);
    expect(p.spec.task.modelFile?.blobs?.[1]?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("fails before dispatch on an unsupported layer, naming the file, the layer, its class and what is supported", async () => {
    const dir = modelDir("lstm", (j) => {
      const layers = ((j["modelTopology"] as Record<string, Record<string, Record<string, unknown>>>)["model_config"]?.["config"]?.["layers"] ?? []) as unknown[];
      layers.splice(5, 0, { class_name: "LSTM", config: { name: "rnn" } });
    });
    const err = await specError(prepareSpec(spec("  model: { tfjs: model/model.json }"), join(dir, "spec.yaml")));
    expect(err.issues).toEqual([{ path: "task.model.tfjs", message: expect.stringMatching(/model[/\\]model\.json: layer "rnn" of class LSTM is not supported; supported: InputLayer, Dense, /) as unknown }]);
  });

  it("fails on a missing or short weights shard, naming the shard", async () => {
    const short = modelDir("short", undefined, 100);
    expect((await specError(prepareSpec(spec("  model: { tfjs: model/model.json }"), join(short, "spec.yaml")))).message).toMatch(
      /task\.model\.tfjs: .*group1-shard1of1\.bin: weights shards hold 100 bytes, the manifest needs 10824 \(12 weights\): short/,
    );
    const missing = modelDir("missing");
    rmSync(join(missing, "model", "group1-shard1of1.bin"));
    expect((await specError(prepareSpec(spec("  model: { tfjs: model/model.json }"), join(missing, "spec.yaml")))).message).toMatch(/group1-shard1of1\.bin: weights shard missing/);
    expect((await specError(prepareSpec(spec("  model: { tfjs: nope/model.json }"), join(missing, "spec.yaml")))).message).toMatch(/task\.model\.tfjs: .*nope[/\\]model\.json: ENOENT/);
  });

  it("names unknown exit layers with the candidates, and out-of-range positions", async () => {
    const dir = modelDir("exits");
    const err = await specError(prepareSpec(spec("  model: { tfjs: model/model.json }\n  exits: [pool1, 7]"), join(dir, "spec.yaml")));
    expect(err.issues.map((i) => i.path)).toEqual(["task.exits", "task.exits"]);
    expect(err.message).toMatch(/no exit can follow layer "pool1"; candidate exit layers: relu1, dropout/);
    expect(err.message).toMatch(/position 7 is out of range: .* has 3 blocks/);
    const builtin = await specError(prepareSpec(spec("  model: mlp\n  exits: [fc1]"), join(dir, "spec.yaml")));
    expect(builtin.message).toMatch(/task\.exits: layer names \(fc1\) need an imported model/);
  });

  it("refuses LayerPrune layer removal on a model without a removable block", async () => {
    const dir = modelDir("noremove", (j) => {
      const layers = ((j["modelTopology"] as Record<string, Record<string, Record<string, unknown>>>)["model_config"]?.["config"]?.["layers"] ?? []) as { config: Record<string, unknown> }[];
      (layers[8] as { config: Record<string, unknown> }).config["units"] = 30;
      const w = ((j["weightsManifest"] as { weights: { shape: number[] }[] }[])[0]?.weights ?? []);
      (w[8] as { shape: number[] }).shape = [20, 30];
      (w[9] as { shape: number[] }).shape = [30];
      (w[10] as { shape: number[] }).shape = [30, 10];
    }, (2706 + 310) * 4);
    const err = await specError(prepareSpec(spec("  model: { tfjs: model/model.json }", "method: layerprune"), join(dir, "spec.yaml")));
    expect(err.issues).toEqual([{ path: "space.layerprune.unit", message: expect.stringMatching(/has no removable layer or block .*only layerprune.unit: filter applies/) as unknown }]);
    await expect(prepareSpec(spec("  model: { tfjs: model/model.json }", "method: layerprune\n  layerprune.unit: filter"), join(dir, "spec.yaml"))).resolves.toBeDefined();
  });

  it("rejects a malformed model entry with the forms allowed", async () => {
    const err = await specError(prepareSpec(spec("  model: { keras: model.h5 }"), join(tmp, "spec.yaml")));
    expect(err.message).toMatch(/task\.model: must be one of: lenet-300-100, .*resnet20, or \{tfjs: <path to model.json>\}/);
  });
});

describe("task.artifacts", () => {
  it("takes a keyword or {keep, maxMB}, defaults to all with a 64 MB cap, and names what is allowed", async () => {
    const dir = modelDir("artifacts");
    const parse = async (v: string) => (await prepareSpec(spec(`  model: mlp\n  artifacts: ${v}`), join(dir, "spec.yaml"))).spec.task.artifacts;
    expect(await parse("front")).toEqual({ keep: "front", maxBytes: 64 * 2 ** 20 });
    expect(await parse("{ keep: none }")).toEqual({ keep: "none", maxBytes: 64 * 2 ** 20 });
    expect(await parse("{ maxMB: 0.5 }")).toEqual({ keep: "all", maxBytes: 2 ** 19 });
    expect((await prepareSpec(spec("  model: mlp"), join(dir, "spec.yaml"))).spec.task.artifacts).toEqual({ keep: "all", maxBytes: 64 * 2 ** 20 });
    expect((await specError(prepareSpec(spec("  model: mlp\n  artifacts: some"), join(dir, "spec.yaml")))).message).toMatch(/task\.artifacts\.keep: .*all.*front.*none/);
  });
});
