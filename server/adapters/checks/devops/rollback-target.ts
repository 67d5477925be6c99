import type { CheckFinding } from "../../../engine/ports.ts";
import { httpGet, type SubCheckContext, type SubCheckOutcome } from "../check-io.ts";
import { excerpt, redactUrl } from "../../report-text.ts";

/**
 * The baseline a roll back returns to must still answer: a release whose way back is gone is
 * not one to start. One GET within 5 s, expecting the configured status.
 */
export async function checkRollbackTarget(target: { url: string; expectStatus: number }, ctx: SubCheckContext): Promise<SubCheckOutcome> {
  const where = `GET ${redactUrl(target.url)}`;
  const res = await httpGet(target.url, ctx.signal);
  const checked = "rollback target";
  const unreachable = (evidence: string): CheckFinding => ({ severity: "high", message: "rollback target not reachable", evidence: `${where}: ${evidence}` });
  if ("problem" in res) return { findings: [unreachable(res.problem)], checked };
  await ctx.log(`${where} answered HTTP ${res.status} (expected ${target.expectStatus})`);
  if (res.status !== target.expectStatus) {
    const body = excerpt(res.body);
    return { findings: [unreachable(`HTTP ${res.status}, expected ${target.expectStatus}${body === "" ? "" : ` "${body}"`}`)], checked };
  }
  return { findings: [], checked };
}
