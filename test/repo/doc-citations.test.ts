/**
 * Every comment that cites a document cites one in this repository: a `.md` path in a comment
 * of a source, config or example file must exist (relative to the repository root or to the
 * citing file), and a `§N.M` or `#anchor` after it must name a heading of that document.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** Files whose comments are scanned: code, configs, examples, Dockerfiles, schemas. */
const SCANNED = /\.(ts|mts|mjs|js|cjs|ya?ml|proto|sh)$|Dockerfile$/;
/** Generated or third-party text is not ours to fix. */
const SKIPPED = /^(proto\/src\/gen\/|bench\/results\/|.*node_modules\/|test\/repo\/doc-citations\.test\.ts$)/;

/** The comment parts of a file's lines (`//`, block comments, `#` comments). */
function commentLines(path: string, text: string): { line: number; text: string }[] {
  const hash = !/\.(ts|mts|mjs|js|cjs)$/.test(path);
  const out: { line: number; text: string }[] = [];
  let inBlock = false;
  text.split("\n").forEach((raw, i) => {
    if (hash) {
      const at = raw.indexOf("#");
      if (at >= 0) out.push({ line: i + 1, text: raw.slice(at) });
      return;
    }
    let rest = raw;
    if (inBlock) {
      const end = rest.indexOf("*/");
      out.push({ line: i + 1, text: end >= 0 ? rest.slice(0, end) : rest });
      if (end < 0) return;
      inBlock = false;
      rest = rest.slice(end + 2);
    }
    const block = rest.indexOf("/*");
    const line = rest.search(/(^|[^:])\/\//);
    if (line >= 0 && (block < 0 || line < block)) out.push({ line: i + 1, text: rest.slice(line) });
    else if (block >= 0) {
      const end = rest.indexOf("*/", block + 2);
      out.push({ line: i + 1, text: end >= 0 ? rest.slice(block, end) : rest.slice(block) });
      inBlock = end < 0;
    }
  });
  return out;
}

/** GitHub-style anchor of a heading. */
const slug = (heading: string): string =>
  heading
    .toLowerCase()
    .replace(/[`*_]/g, "")
    .replace(/[^\p{L}\p{N} -]/gu, "")
    .replace(/ /g, "-");

function headings(doc: string): string[] {
  return readFileSync(doc, "utf8")
    .split("\n")
    .filter((l) => /^#{1,6} /.test(l))
    .map((l) => l.replace(/^#+ /, "").trim());
}

/** Problems with one citation: a missing file, or a section/anchor the document lacks. */
function citationProblem(from: string, cited: string, section: string | undefined, anchor: string | undefined): string | undefined {
  const candidates = [join(root, cited), join(dirname(join(root, from)), cited)];
  const doc = candidates.find((p) => existsSync(p));
  if (!doc) return `${cited} does not exist in the repository`;
  const hs = headings(doc);
  if (section !== undefined) {
    for (const s of section.split(/[-–,]\s*§?/).map((x) => x.trim()).filter(Boolean)) {
      if (!hs.some((h) => h.startsWith(`${s} `) || h.startsWith(`${s}. `))) return `${relative(root, doc)} has no section ${s}`;
    }
  }
  if (anchor !== undefined && !hs.some((h) => slug(h) === anchor)) return `${relative(root, doc)} has no heading #${anchor}`;
  return undefined;
}

const CITATION = /((?:[\w.-]+\/)*[\w.-]+\.md)(?:#([\w-]+))?(?:[ ,]+§(\d+(?:\.\d+)?(?:\s*[-–]\s*\d+(?:\.\d+)?|\s*,\s*§\d+(?:\.\d+)?)*))?/g;

function problems(): string[] {
  const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" })
    .split("\n")
    .filter((f) => f && SCANNED.test(f) && !SKIPPED.test(f) && existsSync(join(root, f)));
  const out: string[] = [];
  for (const f of files) {
    for (const c of commentLines(f, readFileSync(join(root, f), "utf8"))) {
      for (const m of c.text.matchAll(CITATION)) {
        const problem = citationProblem(f, m[1] as string, m[3], m[2]);
        if (problem) out.push(`${f}:${c.line}: ${problem}`);
      }
    }
  }
  return out;
}

describe("document citations in comments", () => {
  it("cite documents, sections and headings that exist in the repository", () => {
    expect(problems()).toEqual([]);
  });

  it("finds comments and citations, and flags a missing one", () => {
    const ts = commentLines("x.ts", 'const a = "b.md"; // see docs/methods.md §1.4\n/* one\n * docs/nope.md */ const url = "http://x";\n');
    expect(ts.map((c) => c.line)).toEqual([1, 2, 3]);
    expect(ts[0]?.text).toContain("docs/methods.md");
    expect(ts.some((c) => c.text.includes("b.md"))).toBe(false);
    expect(commentLines("x.yaml", "a: 1 # docs/methods.md\n")[0]?.text).toBe("# docs/methods.md");
    expect(citationProblem("x.ts", "docs/nope.md", undefined, undefined)).toMatch(/does not exist/);
    expect(citationProblem("x.ts", "docs/methods.md", "1.4", undefined)).toBeUndefined();
    expect(citationProblem("x.ts", "docs/methods.md", "9.9", undefined)).toMatch(/no section 9.9/);
    expect(citationProblem("x.ts", "docs/methods.md", "1.2-1.4", undefined)).toBeUndefined();
    expect(citationProblem("x.ts", "docs/campaign-spec.md", undefined, "results")).toBeUndefined();
    expect(citationProblem("x.ts", "docs/campaign-spec.md", undefined, "nope")).toMatch(/no heading/);
  });
});
