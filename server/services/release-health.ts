import { ZReleaseHealthQuery, type HealthPeriodChoice, type ReleaseHealthView } from "../contracts/release-health-api.ts";
import { DAY_MS, MAX_PERIOD_DAYS, releaseHealth, type HealthRun, type Period } from "../core/release-health.ts";
import type { Db } from "../db/client.ts";
import { finishedRunsForHealth } from "../db/run-repository.ts";
import { AppError } from "../errors.ts";

/**
 * Release health for stakeholders: reads the runs that finished in a period from PostgreSQL and
 * hands them to the pure figures (core/release-health.ts). Any signed-in role may read it.
 */

const ROLLING_DAYS: Record<Exclude<HealthPeriodChoice, "custom">, number> = { "7d": 7, "30d": 30, "90d": 90 };

// The page has no form to highlight for a query it read from the URL, so the message itself says what to correct.
const invalid = (fieldErrors: Record<string, string[]>, why: string) =>
  new AppError("BAD_REQUEST", {
    message: `release health query: ${why}`,
    userMessage: `${Object.values(fieldErrors).flat().join(". ")}.`.replace(/\.\.$/, "."),
    fieldErrors,
  });

/**
 * The period a choice means at `now`: the last 7/30/90 days up to now, or whole UTC days from
 * `from` through `to` (both included; `to` may be today, not later; at most 366 days).
 */
export function resolvePeriod(choice: HealthPeriodChoice, from: string | undefined, to: string | undefined, now: number): Period {
  if (choice !== "custom") return { from: now - ROLLING_DAYS[choice] * DAY_MS, to: now };
  const problems: Record<string, string[]> = {};
  const start = from === undefined ? NaN : Date.parse(`${from}T00:00:00Z`);
  const last = to === undefined ? NaN : Date.parse(`${to}T00:00:00Z`);
  // Date.parse accepts 2026-02-31 in some engines by rolling over; insist the date reads back the same.
  const real = (ms: number, text: string | undefined) => Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === text;
  if (!real(start, from)) (problems.from ??= []).push("Choose the first day (YYYY-MM-DD)");
  if (!real(last, to)) (problems.to ??= []).push("Choose the last day (YYYY-MM-DD)");
  if (Object.keys(problems).length > 0) throw invalid(problems, "custom period without valid dates");
  const end = last + DAY_MS;
  if (last < start) throw invalid({ to: ["The last day must not be before the first"] }, "to before from");
  if (last > Math.floor(now / DAY_MS) * DAY_MS) throw invalid({ to: ["The last day cannot be in the future"] }, "to in the future");
  if ((end - start) / DAY_MS > MAX_PERIOD_DAYS) throw invalid({ from: [`A period spans at most ${MAX_PERIOD_DAYS} days`] }, "period too long");
  return { from: start, to: end };
}

/** The figures for a query (as the route receives it: strings, possibly absent), at `now`. */
export async function getReleaseHealth(db: Db, rawQuery: unknown, now: number): Promise<ReleaseHealthView> {
  const parsed = ZReleaseHealthQuery.safeParse(rawQuery);
  if (!parsed.success) {
    const fieldErrors: Record<string, string[]> = {};
    for (const issue of parsed.error.issues) (fieldErrors[issue.path.join(".") || "_form"] ??= []).push(issue.message);
    throw invalid(fieldErrors, "query does not parse");
  }
  const query = parsed.data;
  const period = resolvePeriod(query.period, query.from, query.to, now);

  const services = await db.service.findMany({ select: { slug: true, name: true }, orderBy: { name: "asc" } });
  const service = query.service === undefined ? null : (services.find((s) => s.slug === query.service) ?? null);
  if (query.service !== undefined && !service) {
    throw new AppError("NOT_FOUND", { message: `release health: no service ${query.service}`, userMessage: "There is no such service.", fieldErrors: { service: ["Unknown service"] } });
  }

  const rows = await finishedRunsForHealth(db, { from: new Date(period.from), to: new Date(period.to), service: query.service, environment: query.environment });
  const runs: HealthRun[] = rows.map((r) => ({
    status: r.status as HealthRun["status"],
    rolloutStarted: r.rolloutStarted,
    finishedAt: r.finishedAt ? r.finishedAt.getTime() : null,
    commitAt: r.commitAt ? r.commitAt.getTime() : null,
    rollback: r.rollback ? { startedAt: r.rollback.startedAt.getTime(), finishedAt: r.rollback.finishedAt ? r.rollback.finishedAt.getTime() : null } : null,
  }));
  const h = releaseHealth(runs, period);
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    period: { choice: query.period, from: iso(period.from), to: iso(period.to), days: h.period.days },
    service,
    environment: query.environment ?? null,
    deployments: h.deployments,
    leadTime: h.leadTime,
    changeFailure: h.changeFailure,
    restore: h.restore,
    weeks: h.weeks.map((w) => ({ ...w, start: iso(w.start) })),
    services,
  };
}
