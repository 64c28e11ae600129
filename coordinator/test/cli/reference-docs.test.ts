/**
 * The reference tables of README.md and docs/campaign-spec.md are the catalogue's and the
 * registries' current rendering: a change to a method, model, metric, sampler or stopper
 * without `npm run docs` fails here.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { GENERATED_DOCUMENTS, generatedBlocks, rewriteGeneratedBlocks } from "../../src/cli/reference-docs.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const blocks = generatedBlocks({ examples: readdirSync(`${root}examples`) });

describe("generated reference tables", () => {
  it.each(GENERATED_DOCUMENTS)("%s is up to date (run npm run docs when this fails)", (doc) => {
    const text = readFileSync(`${root}${doc}`, "utf8");
    const { text: fresh, unknown } = rewriteGeneratedBlocks(text, blocks);
    expect(unknown).toEqual([]);
    expect(fresh === text, `${doc} differs from its generated tables; run npm run docs`).toBe(true);
  });

  it("places every block in some document", () => {
    const all = GENERATED_DOCUMENTS.map((d) => readFileSync(`${root}${d}`, "utf8")).join("\n");
    for (const name of Object.keys(blocks)) expect(all, name).toContain(`<!-- generated:${name} -->`);
  });

  it("rewrites only between the markers and reports unknown blocks", () => {
    const text = "a\n<!-- generated:models -->\nstale\n<!-- /generated:models -->\nb\n<!-- generated:nope -->\n<!-- /generated:nope -->\n";
    const r = rewriteGeneratedBlocks(text, { models: "| fresh |" });
    expect(r.text).toBe("a\n<!-- generated:models -->\n| fresh |\n<!-- /generated:models -->\nb\n<!-- generated:nope -->\n<!-- /generated:nope -->\n");
    expect(r.unknown).toEqual(["nope"]);
  });

  it("lists every catalogued method, model and metric in the README", () => {
    const readme = readFileSync(`${root}README.md`, "utf8");
    expect(readme).toContain("| `sap` |");
    expect(readme).toContain("| `resnet20` |");
    expect(readme).toContain("| `expected_macs` |");
  });
});
