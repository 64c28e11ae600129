/**
 * `{csv: file, label: column}`: a CSV file with a header row (RFC 4180 quoting, `,`
 * separator). The label column holds class indices (integers >= 0) or class names (then the
 * sorted distinct names are the classes); every other column is a numeric feature.
 */
import type { DatasetSource } from "@prunesweep/proto";
import { DatasetError } from "../errors.js";
import { classLabels } from "./arrays.js";
import { localFiles, type DatasetFiles } from "./dataset-files.js";
import type { RawExamples } from "./types.js";

/** Splits CSV text into rows of fields (quoted fields may hold commas, quotes and newlines). */
function parseCsvRows(text: string, path: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === "\n") line++;
        field += c;
      }
    } else if (c === '"' && field === "") quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      if (row.length > 1 || row[0] !== "") rows.push(row);
      row = [];
      field = "";
      line++;
    } else field += c;
  }
  if (quoted) throw new DatasetError(`"${path}": a quoted field opened before line ${line} is never closed`);
  row.push(field);
  if (row.length > 1 || row[0] !== "") rows.push(row);
  return rows;
}

/** Loads a CSV dataset. Errors name the file, the line and the column. */
export async function loadCsv(source: Extract<DatasetSource, { kind: "csv" }>, files: DatasetFiles = localFiles): Promise<RawExamples> {
  const path = source.file;
  const rows = parseCsvRows((await files.read(path)).toString("utf8").replace(/^\uFEFF/, ""), path);
  const header = (rows[0] ?? []).map((h) => h.trim());
  const labelCol = header.indexOf(source.label);
  if (labelCol < 0) throw new DatasetError(`"${path}" has no column "${source.label}"; its header has: ${header.join(", ") || "nothing"}`);
  const n = rows.length - 1;
  if (n < 1) throw new DatasetError(`"${path}" has a header but no data rows`);
  const d = header.length - 1;
  if (d < 1) throw new DatasetError(`"${path}" has no feature column besides the label "${source.label}"`);
  const x = new Float32Array(n * d);
  const labels: string[] = [];
  for (let r = 0; r < n; r++) {
    const row = rows[r + 1] as string[];
    const line = r + 2;
    if (row.length !== header.length) throw new DatasetError(`"${path}" line ${line} has ${row.length} fields; the header has ${header.length}`);
    let j = 0;
    for (let c = 0; c < row.length; c++) {
      const text = (row[c] as string).trim();
      if (c === labelCol) {
        labels.push(text);
        continue;
      }
      const v = Number(text);
      if (text === "" || !Number.isFinite(v)) throw new DatasetError(`"${path}" line ${line}, column "${header[c]}": ${JSON.stringify(text)} is not a finite number`);
      x[r * d + j++] = v;
    }
  }
  const numeric = labels.every((l) => /^[+-]?\d+(\.0*)?$/.test(l));
  let classNames: string[] | undefined;
  let y: Int32Array;
  let numClasses: number;
  if (numeric) ({ y, numClasses } = classLabels(labels.map(Number), `"${path}" column "${source.label}"`));
  else {
    classNames = [...new Set(labels)].sort();
    const index = new Map(classNames.map((c, i) => [c, i]));
    y = Int32Array.from(labels, (l) => index.get(l) ?? 0);
    numClasses = Math.max(2, classNames.length);
  }
  return { x, scale: 1, y, count: n, inputShape: [d], numClasses, name: path, ...(classNames && { classNames }) };
}
