import path from "node:path";

/** Lines found and hit in one source file, keyed by its path relative to the workspace. */
export type FileLines = Map<string, { total: number; covered: number }>;

/** Line coverage of one critical path, aggregated over the files it matches. */
export type PathCoverage = { criticalPath: string; files: number; total: number; covered: number; pct: number | null };

/**
 * Reads an istanbul `json-summary` report: `{ total, "<file>": { lines: { total, covered, pct } } }`.
 * Throws when the JSON is malformed or has no per-file entries.
 */
export function parseIstanbulSummary(json: string, workspace: string): FileLines {
  const doc: unknown = JSON.parse(json);
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw new Error("not an istanbul coverage summary: expected a JSON object");
  const files: FileLines = new Map();
  for (const [file, entry] of Object.entries(doc)) {
    if (file === "total") continue;
    const lines = typeof entry === "object" && entry !== null ? (entry as Record<string, unknown>)["lines"] : undefined;
    if (typeof lines !== "object" || lines === null) throw new Error(`not an istanbul coverage summary: "${file}" has no "lines" figures`);
    const { total, covered, pct } = lines as Record<string, unknown>;
    if (typeof total === "number" && typeof covered === "number") files.set(relativeTo(workspace, file), { total, covered });
    // Hand-made summaries sometimes carry only the percentage: weigh such a file as 100 lines.
    else if (typeof pct === "number") files.set(relativeTo(workspace, file), { total: 100, covered: pct });
    else throw new Error(`not an istanbul coverage summary: "${file}" has no lines.total/lines.covered or lines.pct`);
  }
  return files;
}

/**
 * Reads an lcov tracefile: one `SF:` record per file with its `LF:` (lines found) and `LH:` (lines
 * hit). A record without `LF`/`LH` (some generators write only `DA:<line>,<hits>`) is counted from
 * its `DA` lines: each distinct line is found, and hit when any of its counts is above zero.
 */
export function parseLcov(text: string, workspace: string): FileLines {
  const files: FileLines = new Map();
  let current: LcovRecord | null = null;
  let i = 0;
  for (const raw of lines(text)) {
    i++;
    const line = raw.trim();
    if (line.startsWith("SF:")) current = { file: relativeTo(workspace, line.slice(3)), found: null, hit: null, da: new Map() };
    else if (line.startsWith("LF:") && current) current.found = count(line, i);
    else if (line.startsWith("LH:") && current) current.hit = count(line, i);
    else if (line.startsWith("DA:") && current) addDa(current, line, i);
    else if (line === "end_of_record") {
      if (!current) throw new Error(`malformed lcov at line ${i}: end_of_record without SF`);
      const figures = figuresOf(current);
      const seen = files.get(current.file);
      // The same file can appear once per test run in a merged tracefile; take its best record.
      if (!seen || figures.covered / Math.max(figures.total, 1) > seen.covered / Math.max(seen.total, 1)) files.set(current.file, figures);
      current = null;
    }
  }
  if (files.size === 0) throw new Error("not an lcov tracefile: no SF … end_of_record records");
  return files;
}

/** One `SF` record while it is read: its LF/LH when given, and the hits of each `DA` line. */
type LcovRecord = { file: string; found: number | null; hit: number | null; da: Map<number, boolean> };

function addDa(record: LcovRecord, line: string, i: number): void {
  // DA:<line number>,<execution count>[,<checksum>]
  const [lineNo, hits] = line.slice(3).split(",");
  const n = Number(lineNo);
  const h = Number(hits);
  if (!Number.isSafeInteger(n) || n < 0 || hits === undefined || !Number.isFinite(h)) throw new Error(`malformed lcov at line ${i}: "${line.slice(0, 200)}"`);
  record.da.set(n, (record.da.get(n) ?? false) || h > 0);
}

/** LF/LH win when the record has them (they are what the generator computed); else the DA lines. */
function figuresOf(record: LcovRecord): { total: number; covered: number } {
  if (record.found !== null) return { total: record.found, covered: Math.min(record.hit ?? 0, record.found) };
  let covered = 0;
  for (const hit of record.da.values()) if (hit) covered++;
  return { total: record.da.size, covered };
}

/** The lines of a text, one at a time (a 30 MB tracefile is not split into one array of strings). */
function* lines(text: string): Generator<string> {
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    yield text.slice(start, end).replace(/\r$/, "");
    start = end + 1;
  }
}

/** Line coverage per critical path; `pct` is null when no file (with lines) matches it. */
export function coverageByCriticalPath(files: FileLines, criticalPaths: string[]): PathCoverage[] {
  return criticalPaths.map((criticalPath) => {
    const matches = matcher(criticalPath);
    let total = 0;
    let covered = 0;
    let n = 0;
    for (const [file, lines] of files) {
      if (!matches(file) || lines.total === 0) continue;
      n++;
      total += lines.total;
      covered += lines.covered;
    }
    return { criticalPath, files: n, total, covered, pct: total === 0 ? null : (100 * covered) / total };
  });
}

/** A percentage for people: one decimal, rounded down so 79.96 never reads as "80%". */
export function formatPct(pct: number): string {
  const floored = Math.floor(pct * 10) / 10;
  return `${Number.isInteger(floored) ? floored.toFixed(0) : floored.toFixed(1)}%`;
}

/** Merges lcov figures into the summary's: the summary wins for a file both report. */
export function mergeFileLines(primary: FileLines, secondary: FileLines): FileLines {
  const merged: FileLines = new Map(secondary);
  for (const [file, lines] of primary) merged.set(file, lines);
  return merged;
}

function count(line: string, i: number): number {
  const n = Number(line.slice(3));
  if (!Number.isFinite(n) || n < 0) throw new Error(`malformed lcov at line ${i}: "${line.slice(0, 200)}"`);
  return n;
}

// Reports carry absolute paths when they were written in the workspace (made relative here), or
// paths of another machine when CI produced them elsewhere (kept absolute; matched by suffix).
function relativeTo(workspace: string, file: string): string {
  const normalized = path.posix.normalize(file.replace(/\\/g, "/"));
  if (!path.posix.isAbsolute(normalized)) return normalized.replace(/^\.\//, "");
  const rel = path.posix.relative(workspace.replace(/\\/g, "/"), normalized);
  return rel.startsWith("..") ? normalized : rel;
}

/**
 * A critical path is a glob when it has `*`, `?` or `[`; otherwise a prefix on whole path
 * segments (`src/pay` does not match `src/payments/a.ts`).
 */
function matcher(criticalPath: string): (file: string) => boolean {
  const pattern = criticalPath.replace(/^\.\//, "").replace(/\/+$/, "");
  if (!/[*?[]/.test(pattern)) {
    return (file) => file === pattern || file.startsWith(`${pattern}/`) || (file.startsWith("/") && file.includes(`/${pattern}/`));
  }
  const re = new RegExp(`^${globToRegExp(pattern)}$`);
  const foreign = new RegExp(`^/(?:.*/)?${globToRegExp(pattern)}$`);
  return (file) => re.test(file) || (file.startsWith("/") && foreign.test(file));
}

function globToRegExp(glob: string): string {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob.charAt(i);
    if (c === "*" && glob.charAt(i + 1) === "*") {
      // `**/` matches zero or more whole directories; a trailing `**` matches everything below.
      if (glob.charAt(i + 2) === "/") {
        out += "(?:.*/)?";
        i += 2;
      } else {
        out += ".*";
        i += 1;
      }
    } else if (c === "*") out += "[^/]*";
    else if (c === "?") out += "[^/]";
    else if (c === "[") {
      const end = glob.indexOf("]", i);
      if (end === -1) out += "\\[";
      else {
        out += glob.slice(i, end + 1);
        i = end;
      }
    } else out += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return out;
}
