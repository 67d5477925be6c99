import { readRecordMaterial } from "../adapters/checks/release-record-material.ts";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { SessionUser } from "../auth/session.ts";
import type { RecordDocument } from "../core/record/document.ts";
import { markdownStructure } from "../core/record/testing.ts";
import type { RunState } from "../core/types.ts";
import { disconnectDb } from "../db/client.ts";
import { latestReleaseRecord } from "../db/release-record-repository.ts";
import { runCommand } from "../services/runs.ts";
import { eventually, makeEngine, makeService, makeUser, runInput, startRun } from "../testing/harness.ts";
import { writeReleaseRecord } from "./write-release-record.ts";

const url = inject("databaseUrl");
const h = makeEngine(url);
let rm: SessionUser;
let onCall: SessionUser;

beforeAll(async () => {
  rm = await makeUser(h.db, "release_manager");
  onCall = await makeUser(h.db, "on_call");
  h.engine.start();
});
afterAll(async () => {
  await h.engine.stop();
  await disconnectDb();
});

const waitFor = (runId: string, pred: (s: RunState) => boolean) =>
  eventually(async () => {
    const s = (await h.db.releaseRun.findUniqueOrThrow({ where: { id: runId } })).state as unknown as RunState;
    return pred(s) ? s : null;
  });

/** Issue 13: this reason forged an "Approvals" heading and a table row in the release record. */
const FORGED = "x\n\n## Approvals\n| forged | row |\n<script>alert(1)</script> [link](javascript:alert(1))";

/** A staging canary at 5% that the on-call engineer rolls back with `reason`, to the end of the procedure. */
async function rolledBack(reason: string) {
  const svc = await makeService(h.db);
  const run = await startRun(h, rm, runInput(svc.id, { environment: "staging", risk: "low" }));
  await waitFor(run.id, (s) => s.phase === "rollout");
  await runCommand(h.engine, rm, { kind: "confirmWeight", runId: run.id, percent: 5 });
  // What the canary analysis said a moment before the operator pulled the plug.
  await h.db.analysisEvaluation.create({
    data: {
      runId: run.id,
      stepIndex: 0,
      at: new Date(Date.now() - 1000),
      verdict: "hold",
      summary: "Canary error rate 0.9% over 2,075 requests: above the 0.1% hold level.",
      requestsNeeded: 0,
      // As the analysis loop stores them: Infinity as null, plus a line this version cannot read.
      evaluations: [
        { method: "e-process", trigger: "error-rate-hold", level: "hold", verdict: "hold", n: 2075, k: 19, p0: 0.001, observedRate: 19 / 2075, logE: 5.1, logThreshold: 4.6, minSamples: null, message: "19 errors in 2,075 canary requests" },
        { trigger: 42 },
      ],
    },
  });
  await runCommand(h.engine, onCall, { kind: "rollback", runId: run.id, reason });
  await runCommand(h.engine, onCall, { kind: "confirmWeight", runId: run.id, percent: 0 });
  await waitFor(run.id, (s) => s.status === "rolled_back");
  return { run, svc };
}

function section(doc: RecordDocument | null, id: string) {
  return doc?.sections.find((s) => s.id === id);
}

describe("the release record of a rolled-back run, written and read back", () => {
  it("is stored as a document with its post-mortem draft, and the reason stays text in the page and the download", async () => {
    const { run } = await rolledBack(FORGED);
    const record = await eventually(() => latestReleaseRecord(h.db, run.id));
    expect(record).toMatchObject({ number: run.number, version: 1, form: "document" });

    const postMortem = section(record.document, "post-mortem");
    const facts = postMortem?.blocks.find((b) => b.kind === "facts");
    expect(facts?.kind === "facts" && facts.facts.find((f) => f.label === "Reason")?.value).toEqual([{ kind: "text", text: FORGED }]);
    expect(facts?.kind === "facts" && facts.facts.find((f) => f.label === "Trigger")?.value.map((v) => v.text).join("")).toBe(`operator (${onCall.name})`);
    const evidence = postMortem?.subsections.find((s) => s.id === "post-mortem-evidence")?.blocks.find((b) => b.kind === "table");
    expect(evidence?.kind === "table" && evidence.rows.map((r) => r.map((c) => c.map((s) => s.text).join("")))).toEqual([
      ["error-rate-hold", "hold", "2075", "19", "0.92%", "19 errors in 2,075 canary requests"],
    ]);
    const steps = postMortem?.subsections.find((s) => s.id === "post-mortem-procedure")?.blocks[0];
    // Written by the rollback's last step, but recorded as the run has ended: never "rolling back".
    expect(steps?.kind === "table" && steps.rows.map((r) => r[1]?.[0]?.text)).toEqual(["done", "skipped", "skipped", "done", "done"]);
    expect(record.markdown).toMatch(/\*\*Outcome:\*\* rolled back/);
    expect(record.markdown).not.toMatch(/rolling back/i);

    // The download: the record's own headings and tables, and not one more.
    const found = markdownStructure(record.markdown);
    expect(found.headings.filter((h) => h.endsWith(" Approvals"))).toEqual(["### Approvals"]);
    expect(found.headings).toContain("## Post-mortem draft");
    expect([found.links, found.html]).toEqual([[], 0]);
    expect(record.markdown).not.toMatch(/^\| forged/m);
  });

  it("after an automatic rollback, names the trigger and shows the evaluation that decided it, even with a later one stored", async () => {
    const svc = await makeService(h.db);
    const run = await startRun(h, rm, runInput(svc.id, { environment: "staging", risk: "low" }));
    await waitFor(run.id, (s) => s.phase === "rollout");
    await runCommand(h.engine, rm, { kind: "confirmWeight", runId: run.id, percent: 5 });
    await waitFor(run.id, (s) => s.stepPhase === "holding");
    const message = "Canary error rate 48% (24 of 50) vs threshold 1%: evidence 3.2e4 ≥ 400 → roll back";
    const line = { method: "e-process", trigger: "error-rate", level: "rollback", n: 50, k: 24, observedRate: 0.48, message };
    const stored = (at: number, verdict: string, summary: string) =>
      h.db.analysisEvaluation.create({ data: { runId: run.id, stepIndex: 0, at: new Date(at), verdict, summary, requestsNeeded: 0, evaluations: [{ ...line, verdict }] } });
    await stored(Date.now() - 2000, "rollback", message);
    await stored(Date.now() - 1000, "insufficient", "Not enough canary requests yet");
    await h.engine.dispatch(run.id, {
      kind: "analysis",
      stepIndex: 0,
      result: { verdict: "rollback", summary: message, requestsNeeded: 0, decidedBy: { trigger: "error-rate", message }, at: Date.now() },
    });
    await runCommand(h.engine, onCall, { kind: "confirmWeight", runId: run.id, percent: 0 });
    await waitFor(run.id, (s) => s.status === "rolled_back");

    const record = await eventually(() => latestReleaseRecord(h.db, run.id));
    const postMortem = section(record.document, "post-mortem");
    const opening = postMortem?.blocks[0];
    expect(opening?.kind === "paragraph" && opening.content[0]?.text).toMatch(/^\S+ 1\.1\.0 was rolled back automatically by the error-rate trigger at /);
    expect(record.markdown).toContain("The evaluation that decided the rollback");
    expect(record.markdown).toMatch(/\| `error-rate` \| rollback +\| 50 +\| 24 +\| 48% +\| Canary error rate 48% \(24 of 50\)/);
    expect(record.markdown).toContain("What in 1.1.0 made the error-rate trigger fire, when 1.0.0 did not?");
  });

  it("keeps every version: a rewrite is version 2, and the latest is what the page shows", async () => {
    const { run } = await rolledBack("pager fired at 10:02");
    await eventually(() => latestReleaseRecord(h.db, run.id));
    await writeReleaseRecord(h.db, run.id, Date.now(), readRecordMaterial);
    const latest = await latestReleaseRecord(h.db, run.id);
    expect(latest?.version).toBe(2);
    expect(await h.db.releaseRecord.count({ where: { runId: run.id } })).toBe(2);
    // Written after the run ended, the draft says how it ended.
    const outcome = section(latest?.document ?? null, "post-mortem")?.blocks.find((b) => b.kind === "facts");
    expect(outcome?.kind === "facts" && outcome.facts.find((f) => f.label === "Outcome")?.value.map((v) => v.text).join("")).toBe("rolled back — Rolled back: pager fired at 10:02");
  });

  it("shows a record from before structured records, and a tampered one, as their text — never as structure", async () => {
    const svc = await makeService(h.db);
    const run = await startRun(h, rm, runInput(svc.id));
    await h.db.releaseRecord.create({ data: { runId: run.id, version: 1, markdown: "# Release record\n## Approvals\n| forged | row |" } });
    expect(await latestReleaseRecord(h.db, run.id)).toMatchObject({ form: "legacy", document: null, markdown: "# Release record\n## Approvals\n| forged | row |" });

    const tampered = { format: 1, title: "t", summary: [], sections: [{ id: "x", title: "x", subsections: [], blocks: [{ kind: "paragraph", content: [{ kind: "link", text: "click", href: "javascript:alert(1)" }] }] }] };
    await h.db.releaseRecord.create({ data: { runId: run.id, version: 2, document: tampered, markdown: "click" } });
    expect(await latestReleaseRecord(h.db, run.id)).toMatchObject({ version: 2, form: "unreadable", document: null, markdown: "click" });
  });
});

describe("every run that ends has its record", () => {
  it("an aborted run's record is written once it has ended, saying who aborted it and why", async () => {
    const svc = await makeService(h.db);
    const run = await startRun(h, rm, runInput(svc.id, { environment: "staging", risk: "low" }));
    await runCommand(h.engine, rm, { kind: "abort", runId: run.id, reason: "wrong branch" });
    await waitFor(run.id, (s) => s.status === "aborted");
    const record = await eventually(() => latestReleaseRecord(h.db, run.id));
    expect(record.markdown).toContain("wrong branch");
    expect(record.markdown).not.toMatch(/rolling back|in progress/i);
  });
});
