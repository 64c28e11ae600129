/**
 * Import boundaries checked by `npm run lint` (dependency-cruiser): no import cycles, between
 * files or between folders, in the packages' sources. Folders aggregate their subfolders:
 * `samplers/` -> `domain/` and `domain/` -> `samplers/tpe/` would be a cycle.
 */
module.exports = {
  forbidden: [
    {
      name: "no-folder-cycles",
      comment: "Folders must not import each other in a loop: move the shared piece down into a folder both may import.",
      severity: "error",
      scope: "folder",
      from: {},
      to: { circular: true },
    },
    {
      name: "no-file-cycles",
      comment: "Files must not import each other in a loop.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(dist|node_modules)/|/src/gen/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.base.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "types", "default"], extensions: [".ts", ".js"] },
  },
};
