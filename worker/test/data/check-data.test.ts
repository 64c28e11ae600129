import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TASK_DEFAULTS, type TaskConfig } from "@prunesweep/proto";
import { describe, expect, it } from "vitest";
import { checkTaskData } from "../../src/data/check-data.js";
import { DatasetError } from "../../src/errors.js";
import { pngBytes, writeTree } from "./fixtures.js";

const task = (over: Partial<TaskConfig>): TaskConfig => ({
  dataset: { kind: "builtin", name: "mnist" },
  split: TASK_DEFAULTS.splitWithTestSet,
  model: "mlp",
  modelOptions: {},
  exits: { positions: [], every: 0 },
  pretrain: TASK_DEFAULTS.pretrain,
  backend: "cpu",
  maxTrainExamples: 0,
  ...over,
});

describe("checkTaskData", () => {
  it("loads a task's dataset and test set as a worker would, and lists the files it read", async () => {
    const root = await mkdtemp(join(tmpdir(), "prunesweep-check-"));
    const px = (v: number) => pngBytes(2, 2, () => [v, v, v]);
    const files: Record<string, Buffer> = {};
    for (const c of ["a", "b"]) for (let i = 0; i < 5; i++) files[`train/${c}/${i}.png`] = px(i);
    files["test/b/0.png"] = px(9);
    await writeTree(root, files);
    const summary = await checkTaskData(task({ dataset: { kind: "images", dir: join(root, "train") }, test: { kind: "images", dir: join(root, "test") } }), 0);
    expect(summary).toEqual({
      train: 9,
      validation: 1,
      test: 1,
      inputShape: [2, 2, 1],
      classes: 2,
      files: [...Object.keys(files).map((f) => join(root, f))],
    });
  });

  it("throws the worker's DatasetError for bad data", async () => {
    const root = await mkdtemp(join(tmpdir(), "prunesweep-check-bad-"));
    await writeTree(root, { "a/1.png": pngBytes(2, 2, () => [1, 1, 1]), "b/x.txt": "" });
    const err: unknown = await checkTaskData(task({ dataset: { kind: "images", dir: root }, split: TASK_DEFAULTS.split }), 0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as Error).message).toBe(`class folder "${join(root, "b")}" is empty: it holds no .png/.jpg/.jpeg files`);
  });

  it("converts image folders to an imported model's input shape, and refuses classes the model cannot output", async () => {
    const root = await mkdtemp(join(tmpdir(), "prunesweep-check-model-"));
    const px = (v: number) => pngBytes(4, 4, () => [v, v, v]);
    const files: Record<string, Buffer> = {};
    for (const c of ["a", "b", "c"]) for (let i = 0; i < 4; i++) files[`train/${c}/${i}.png`] = px(i * 20);
    for (const c of ["a", "b"]) files[`two/${c}/0.png`] = px(7);
    for (const c of ["a", "b", "c"]) files[`test/${c}/0.png`] = px(9);
    await writeTree(root, files);
    const images = (dir: string) => ({ kind: "images", dir: join(root, dir) }) as const;
    const converted = await checkTaskData(task({ dataset: images("train"), split: TASK_DEFAULTS.split }), 0, { inputShape: [2, 2, 3], numClasses: 3 });
    expect(converted.inputShape).toEqual([2, 2, 3]);
    await expect(checkTaskData(task({ dataset: images("train"), split: TASK_DEFAULTS.split }), 0, { inputShape: [2, 2, 1], numClasses: 2 })).rejects.toThrow(
      `dataset "${join(root, "train")}" has 3 classes (a, b, c), but the model outputs 2`,
    );
    await expect(checkTaskData(task({ dataset: images("two"), test: images("test"), split: { train: 0.5, validation: 0, test: 0 } }), 0, { inputShape: [2, 2, 1], numClasses: 2 })).rejects.toThrow(
      `test set "${join(root, "test")}" has 3 classes (a, b, c), but the model outputs 2`,
    );
    await expect(checkTaskData(task({ dataset: { kind: "synthetic", samples: 40, features: 6, classes: 2 }, split: TASK_DEFAULTS.split }), 0, { inputShape: [8], numClasses: 2 })).rejects.toThrow(
      "has examples of shape [6], but the model takes [8]",
    );
  });

  it("makes proto's header checks first: each problem at the spec value naming the file", async () => {
    const root = await mkdtemp(join(tmpdir(), "prunesweep-check-idx-"));
    const [images, labels] = [join(root, "absent-images.idx"), join(root, "absent-labels.idx")];
    const err: unknown = await checkTaskData(task({ dataset: { kind: "idx", images, labels }, split: TASK_DEFAULTS.split }), 0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as { problems: unknown }).problems).toEqual([
      { path: "task.dataset.idx.images", message: `"${images}" does not exist` },
      { path: "task.dataset.idx.labels", message: `"${labels}" does not exist` },
    ]);
    expect((err as Error).message).toBe(`task.dataset.idx.images: "${images}" does not exist; task.dataset.idx.labels: "${labels}" does not exist`);
  });
});
