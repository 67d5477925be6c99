import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

// The shape STYLE.md asks for, checked on the source itself: no import cycles under server/, a
// core that imports no framework and stays readable, Prisma's run table behind the run
// repository only, and adapters that do not reach into services.

const ROOT = path.resolve(import.meta.dirname, "..");
const SERVER = path.join(ROOT, "server");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === "generated" ? [] : sourceFiles(full);
    return /\.tsx?$/.test(name) && !/\.test\.ts$/.test(name) && !/\.fixture\.ts$/.test(name) ? [full] : [];
  });
}

/** Imports that exist at run time (type-only imports are erased and cannot form a cycle); all of them with `types`. */
function valueImports(file: string, types = false): string[] {
  const src = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, false);
  const specs: string[] = [];
  for (const node of src.statements) {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const typeOnly = clause?.isTypeOnly || (clause && !clause.name && clause.namedBindings && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.every((e) => e.isTypeOnly));
      if ((types || !typeOnly) && ts.isStringLiteral(node.moduleSpecifier)) specs.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && (types || !node.isTypeOnly) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      specs.push(node.moduleSpecifier.text);
    }
  }
  return specs;
}

function resolveLocal(from: string, spec: string): string | null {
  if (!spec.startsWith(".")) return null;
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this one
    }
  }
  return null;
}

const files = sourceFiles(SERVER);
const graph = new Map(files.map((f) => [f, valueImports(f).map((s) => resolveLocal(f, s)).filter((x): x is string => x !== null)]));
const rel = (f: string) => path.relative(ROOT, f);

describe("the server's shape", () => {
  it("has no import cycles", () => {
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const stack: string[] = [];
    const visit = (f: string) => {
      state.set(f, "open");
      stack.push(f);
      for (const next of graph.get(f) ?? []) {
        if (state.get(next) === "open") cycles.push([...stack.slice(stack.indexOf(next)), next].map(rel).join(" → "));
        else if (!state.has(next)) visit(next);
      }
      stack.pop();
      state.set(f, "done");
    };
    for (const f of files) if (!state.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });

  it("keeps the core pure: no framework, database, network, file system or environment", () => {
    // Test support (testing.ts) may import vitest; pure libraries (zod, the Markdown serializer) are fine.
    const core = files.filter((f) => f.startsWith(path.join(SERVER, "core") + path.sep) && path.basename(f) !== "testing.ts");
    const FRAMEWORK_OR_IO = /^(node:|fs$|path$|child_process$|http$|https$|net$|os$|next(\/|$)|react|@prisma\/|socket\.io|pg$|undici$|@tanstack\/)/;
    const offending = core.flatMap((f) => {
      const text = readFileSync(f, "utf8");
      const external = valueImports(f).filter((s) => FRAMEWORK_OR_IO.test(s));
      const outside = valueImports(f)
        .map((s) => resolveLocal(f, s))
        .filter((t): t is string => t !== null && !t.startsWith(path.join(SERVER, "core") + path.sep));
      return [...external, ...outside.map(rel), ...(/process\.env|Date\.now\(\)/.test(text) ? ["process.env or Date.now()"] : [])].map((what) => `${rel(f)}: ${what}`);
    });
    expect(offending).toEqual([]);
  });

  it("keeps every core file readable in one sitting (≤ 300 lines)", () => {
    const long = files
      .filter((f) => f.startsWith(path.join(SERVER, "core") + path.sep))
      .map((f) => [rel(f), readFileSync(f, "utf8").split("\n").length] as const)
      .filter(([, lines]) => lines > 300);
    expect(long).toEqual([]);
  });

  it("touches the runs table only in the run repository", () => {
    const allowed = new Set(["server/db/run-repository.ts", "server/db/run-projection.ts"].map((f) => path.join(ROOT, f)));
    const outside = files.filter((f) => !allowed.has(f) && /\.releaseRun\b|\brelease_run\b/.test(readFileSync(f, "utf8").replace(/^\s*(\*|\/\/).*$/gm, "")));
    expect(outside.map(rel)).toEqual([]);
  });

  it("lets the engine reach adapters only through its ports (engine/deps.ts, engine/ports.ts)", () => {
    const engine = files.filter((f) => f.startsWith(path.join(SERVER, "engine") + path.sep));
    const offending = engine.flatMap((f) =>
      valueImports(f)
        .map((s) => resolveLocal(f, s))
        .filter((t): t is string => t !== null && t.startsWith(path.join(SERVER, "adapters") + path.sep))
        .map((t) => `${rel(f)} → ${rel(t)}`),
    );
    expect(offending).toEqual([]);
  });

  it("lets adapters reach services through their constructors, never by import", () => {
    const adapters = files.filter((f) => f.startsWith(path.join(SERVER, "adapters") + path.sep));
    const offending = adapters.flatMap((f) =>
      valueImports(f, true)
        .map((s) => resolveLocal(f, s))
        .filter((t): t is string => t !== null && t.startsWith(path.join(SERVER, "services") + path.sep))
        .map((t) => `${rel(f)} → ${rel(t)}`),
    );
    expect(offending).toEqual([]);
  });
});
