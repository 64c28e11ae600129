import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { campaignJsonSchema } from "./spec-json-schema.js";

/** `prunesweep schema`: the JSON Schema of the campaign spec, for editors. */
export function registerSchemaCommand(program: Command): Command {
  return program
    .command("schema")
    .description("print the JSON Schema of the campaign spec (for editor completion and validation)")
    .option("-o, --output <file>", "write to this file instead of stdout")
    .action((opts: { output?: string }) => {
      const text = JSON.stringify(campaignJsonSchema(), null, 2) + "\n";
      if (opts.output) {
        writeFileSync(opts.output, text);
        process.stderr.write(`wrote ${opts.output}\n`);
      } else process.stdout.write(text);
    });
}
