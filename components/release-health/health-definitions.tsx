import { MIN_BAND_DAYS, MIN_CHANGES_FOR_RATE_BAND, MIN_MONTHLY_DAYS } from "@/server/core/release-health-bands";

/** What each figure means, in plain words, and where the bands come from. Kept beside the figures so nobody has to guess. */
export function HealthDefinitions() {
  return (
    <section aria-labelledby="health-definitions" className="rounded-lg border border-slate-200 bg-white p-4 text-sm text-slate-800 shadow-sm sm:p-5">
      <h2 id="health-definitions" className="text-lg font-semibold text-slate-900">
        How these figures are computed
      </h2>
      <p className="mt-2">
        From Flightdeck&apos;s own runs that <strong>finished</strong> in the period: a run that started before the period and finished inside it counts; one still
        under way does not. Everything is computed in UTC, and weeks start on Monday 00:00 UTC.
      </p>
      <dl className="mt-3 space-y-3">
        <div>
          <dt className="font-semibold text-slate-900">Deployment frequency</dt>
          <dd>Releases that reached 100% of traffic (succeeded runs), per day or per week of the period.</dd>
        </div>
        <div>
          <dt className="font-semibold text-slate-900">Lead time for changes</dt>
          <dd>
            Median and 90th percentile of the time from the commit to the release finishing, over succeeded runs created with a commit time (the API&apos;s
            commitAt). Runs without one are counted and named, not guessed.
          </dd>
        </div>
        <div>
          <dt className="font-semibold text-slate-900">Change failure rate</dt>
          <dd>
            Runs rolled back or failed after the rollout started, divided by all runs that started the rollout. Runs aborted before the rollout, rejected at the
            approval gate or rolled back during the checks never changed production, so they are not changes.
          </dd>
        </div>
        <div>
          <dt className="font-semibold text-slate-900">Time to restore</dt>
          <dd>
            Median and 90th percentile from the moment the rollback started (a person or the canary analysis detected the failure) to the rollback finishing,
            with the service back on its baseline. A failed change whose rollback could not revert traffic is counted as not restored.
          </dd>
        </div>
      </dl>
      <h3 className="mt-4 font-semibold text-slate-900">DORA performance bands</h3>
      <p className="mt-1">
        Labels follow the 2023 Accelerate State of DevOps report. Deployment frequency — elite: on demand (daily or more); high: daily to weekly; medium: weekly
        to monthly; low: less than monthly. Lead time — elite: under a day; high: up to a week; medium: up to a month; low: longer. Change failure rate —
        elite: up to 5%; high: up to 10%; medium: up to 15%; low: more. Time to restore — elite: under an hour; high: under a day; medium: up to a week; low:
        longer. A band is shown only when the period can support it: at least {MIN_BAND_DAYS} days ({MIN_MONTHLY_DAYS} to tell a monthly habit from a rarer
        one) and, for the failure rate, at least {MIN_CHANGES_FOR_RATE_BAND} changes.
      </p>
    </section>
  );
}
