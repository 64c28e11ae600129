// The dataset of the methods benchmarks (run.mjs, structured.mjs): the built-in MNIST digits, or
// with `--cifar10 DIR` the CIFAR-10 binary batches in DIR (data_batch_1..5.bin, test_batch.bin;
// the worker's `{kind: "cifar10", dir}` source: the five training batches split into train and
// validation by seed, the official test batch as the test split).
//
// benchDataset() checks the data up front exactly as `prunesweep run` does before it starts
// (@prunesweep/worker/data's checkTaskData: the header checks of proto's datasetFileProblems,
// then a full load), so a missing or malformed file fails before any training, naming the file
// and what a CIFAR-10 directory holds; it returns what a bench's task and results header need.
import { CIFAR10_FILES, CIFAR10_RECORD_BYTES } from "@prunesweep/proto";
import { checkTaskData } from "@prunesweep/worker/data";

/** The parseArgs option of the flag, shared by the benches. */
export const CIFAR10_OPTION = { cifar10: { type: "string", default: "" } };

/** Split fractions per source: CIFAR-10 brings its own test set (test_batch.bin), so its split.test is 0. */
const SPLITS = {
  builtin: { train: 0.7, validation: 0.1, test: 0.2 },
  cifar10: { train: 0.9, validation: 0.1, test: 0 },
};

/**
 * The dataset of a bench run: `cifar10Dir` empty → the built-in digits.
 * @returns `{ dataset, split, inputShape, numClasses, counts, label }`; `counts` are the uncapped
 *   train / validation / test example counts, `label` names the source in a results header.
 * When `cifar10Dir` does not hold valid CIFAR-10 binary batches, prints one line per problem (the
 * file and what is wrong) to stderr and exits the process with status 2, before anything trains.
 */
export async function benchDataset(cifar10Dir) {
  const cifar = typeof cifar10Dir === "string" && cifar10Dir !== "";
  const dataset = cifar ? { kind: "cifar10", dir: cifar10Dir } : { kind: "builtin", name: "mnist" };
  const split = cifar ? SPLITS.cifar10 : SPLITS.builtin;
  let summary;
  try {
    summary = await checkTaskData({ dataset, split, maxTrainExamples: 0 }, 1);
  } catch (err) {
    if (!cifar) throw err;
    const problems = err.problems ? err.problems.map((p) => p.message) : [err instanceof Error ? err.message : String(err)];
    process.stderr.write(
      `error: --cifar10 ${cifar10Dir} is not a usable CIFAR-10 binary directory:\n${problems.map((p) => `  - ${p}\n`).join("")}` +
        `expected: a directory holding ${CIFAR10_FILES.join(", ")}, each a whole number of ${CIFAR10_RECORD_BYTES}-byte records (a label byte 0..9, then the 1,024 red, 1,024 green and 1,024 blue bytes of a 32×32 image)\n`,
    );
    process.exit(2);
  }
  const counts = { train: summary.train, validation: summary.validation, test: summary.test };
  const n = (x) => x.toLocaleString("en");
  const label = cifar
    ? `CIFAR-10 binary batches in \`${cifar10Dir}\` (32×32×3; ${n(counts.train)} train / ${n(counts.validation)} validation from data_batch_1..5.bin, ${n(counts.test)} test from test_batch.bin)`
    : `Built-in MNIST digits (28×28×1; ${n(counts.train)} train / ${n(counts.validation)} validation / ${n(counts.test)} test)`;
  return { dataset, split, inputShape: summary.inputShape, numClasses: summary.classes, counts, label };
}
