import type { Db } from "../db/client.ts";
import { findRunRef } from "../db/run-repository.ts";
import { AppError } from "../errors.ts";
import { evidenceSeries, thinIndices, type StoredEvaluationRow } from "../core/analysis/evidence-history.ts";
import { ZWireEvaluations } from "../contracts/analysis-wire.ts";
import type { AnalysisHistory } from "../contracts/analysis-history-api.ts";
import type { TAnalysisHistoryQuery } from "./schemas.ts";

export type { AnalysisHistory } from "../contracts/analysis-history-api.ts";

/** One stored evaluation, light: its verdicts only, so thinning never loads a long step's JSON. */
type VerdictRow = { id: bigint; verdicts: string | null };

/**
 * One step's evaluations as series per statistical test for the difference chart: the step asked
 * for, or the latest evaluated. An evaluation is stored every second, so a long step holds
 * thousands: the verdicts of every row are read first (in PostgreSQL, from the JSON), the rows
 * to send are chosen from them, and only those rows' evaluations are loaded.
 */
export async function getAnalysisHistory(db: Db, runId: string, query: TAnalysisHistoryQuery): Promise<AnalysisHistory> {
  const run = await findRunRef(db, runId);
  if (!run) throw new AppError("NOT_FOUND", { message: `run ${runId} not found`, userMessage: "No such run." });
  const steps = (await db.analysisEvaluation.findMany({ where: { runId }, distinct: ["stepIndex"], select: { stepIndex: true }, orderBy: { stepIndex: "asc" } })).map((r) => r.stepIndex);
  const stepIndex = query.step ?? steps.at(-1) ?? null;
  if (stepIndex === null) return { stepIndex: null, steps, stepStartedAt: null, stored: 0, series: [] };

  const verdicts = await db.$queryRaw<VerdictRow[]>`
    SELECT id, verdict || '|' || coalesce((
      SELECT string_agg(coalesce(e->>'trigger', '') || '=' || coalesce(e->>'verdict', ''), ',' ORDER BY e->>'trigger')
      FROM jsonb_array_elements(CASE WHEN jsonb_typeof(evaluations) = 'array' THEN evaluations ELSE '[]'::jsonb END) AS e
      WHERE e->>'method' = 'e-process'
    ), '') AS verdicts
    FROM analysis_evaluation
    WHERE "runId" = ${runId} AND "stepIndex" = ${stepIndex}
    ORDER BY id`;
  const picked = thinIndices(verdicts.map((r) => r.verdicts ?? "")).flatMap((i) => {
    const row = verdicts[i];
    return row ? [row.id] : [];
  });
  const [rows, first] = await Promise.all([
    db.analysisEvaluation.findMany({ where: { id: { in: picked } }, orderBy: { id: "asc" }, select: { at: true, evaluations: true } }),
    db.analysisEvaluation.findFirst({ where: { runId, stepIndex, stepStartedAt: { not: null } }, orderBy: { id: "asc" }, select: { stepStartedAt: true } }),
  ]);
  const stored: StoredEvaluationRow[] = rows.map((r) => ({
    at: r.at.getTime(),
    // Read with the wire schema the page uses: a row written by an older analysis still shows.
    tests: ZWireEvaluations.parse(r.evaluations).flatMap((e) => (e.method === "e-process" ? [e] : [])),
  }));
  return { stepIndex, steps, stepStartedAt: first?.stepStartedAt?.getTime() ?? null, stored: verdicts.length, series: evidenceSeries(stored) };
}
