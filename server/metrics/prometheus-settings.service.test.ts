import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { SessionUser } from "../auth/session.ts";
import { connectDb, disconnectDb } from "../db/client.ts";
import { parseStoredMetricSource, ZMetricSourceInput } from "../db/metric-source-schema.ts";
import { decryptSecret, encryptSecret } from "../secrets.ts";
import { makeService, makeUser } from "../testing/harness.ts";
import { readMetricSource, testMetricSource, updateMetricSource, ZUpdateMetricSourceInput } from "./prometheus-settings.ts";

const SECRET = "settings-test-master-secret";
const db = connectDb(inject("databaseUrl"));
const encrypt = (v: string) => encryptSecret(v, SECRET);
let admin: SessionUser;
let rm: SessionUser;

beforeAll(async () => {
  admin = await makeUser(db, "admin");
  rm = await makeUser(db, "release_manager");
});
afterAll(async () => {
  await disconnectDb();
});

const source = (extra: Record<string, unknown> = {}) => ({ kind: "prometheus", url: "http://127.0.0.1:9090", ...extra });

describe("an environment's Prometheus metric source in Settings", () => {
  it("saves it with the demo's defaults, the bearer header encrypted, audited without the secret; shows it back without the value", async () => {
    const svc = await makeService(db);
    const env = svc.environments[0];
    if (!env) throw new Error("no environment");
    const input = ZUpdateMetricSourceInput.parse({ environmentId: env.id, metricSource: source({ headers: [{ name: "Authorization", value: "Bearer s3cret-token" }] }) });
    await updateMetricSource(db, admin, input, encrypt);

    const row = await db.environment.findUniqueOrThrow({ where: { id: env.id } });
    expect(JSON.stringify(row.metricSource)).not.toContain("s3cret-token");
    const stored = parseStoredMetricSource(row.metricSource);
    expect(stored?.intervalSeconds).toBe(15);
    expect(stored?.queries.requests).toBe('sum(increase(http_request_duration_seconds_count{job="{service}",version="{version}",route!~"/metrics|/healthz|/__fault"}[{window}]))');
    expect(decryptSecret(stored?.headers[0]?.value ?? "", SECRET)).toBe("Bearer s3cret-token");

    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "environment.metric_source" }, orderBy: { id: "desc" } });
    expect(audit.summary).toBe(`Set ${svc.slug}/${env.name} metric source: none → Prometheus http://127.0.0.1:9090 every 15 s with header Authorization`);
    expect(JSON.stringify(audit.detail)).not.toContain("s3cret");

    const view = await readMetricSource(db, admin, env.id);
    expect(view.metricSource?.headers).toEqual([{ name: "Authorization" }]);
    expect(view.suggestedVersions).toEqual({ baseline: "1.0.0", canary: "1.0.0" });

    // Saved again with the value left empty: the stored secret is kept, not blanked.
    await updateMetricSource(db, admin, ZUpdateMetricSourceInput.parse({ environmentId: env.id, metricSource: source({ intervalSeconds: 30, headers: [{ name: "Authorization", value: "" }] }) }), encrypt);
    const again = parseStoredMetricSource((await db.environment.findUniqueOrThrow({ where: { id: env.id } })).metricSource);
    expect(again?.intervalSeconds).toBe(30);
    expect(decryptSecret(again?.headers[0]?.value ?? "", SECRET)).toBe("Bearer s3cret-token");

    await updateMetricSource(db, admin, { environmentId: env.id, metricSource: null }, encrypt);
    expect((await db.environment.findUniqueOrThrow({ where: { id: env.id } })).metricSource).toBeNull();
  });

  it("refuses non-admins and bad input with field errors, writing nothing", async () => {
    const svc = await makeService(db);
    const env = svc.environments[0];
    if (!env) throw new Error("no environment");
    const auditsBefore = await db.auditEvent.count({ where: { action: "environment.metric_source" } });
    await expect(updateMetricSource(db, rm, ZUpdateMetricSourceInput.parse({ environmentId: env.id, metricSource: source() }), encrypt)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(readMetricSource(db, rm, env.id)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      testMetricSource(db, rm, { environmentId: env.id, metricSource: ZMetricSourceInput.parse(source()), baselineVersion: "1.0.0", canaryVersion: "1.1.0" }, Date.now(), SECRET),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });

    const bad = ZUpdateMetricSourceInput.safeParse({
      environmentId: env.id,
      metricSource: source({ url: "http://user:pw@127.0.0.1:9090", intervalSeconds: 2, window: "5 minutes", extra: 1, queries: { p95: "histogram_quantile(0.95, sum by (le) (rate(x[{win}])))" } }),
    });
    expect(bad.success).toBe(false);
    const paths = (bad.error?.issues ?? []).map((i) => i.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["metricSource.url", "metricSource.intervalSeconds", "metricSource.window", "metricSource.queries.p95", "metricSource"]));

    // A header with no value and none stored is a field error naming the row.
    await expect(
      updateMetricSource(db, admin, ZUpdateMetricSourceInput.parse({ environmentId: env.id, metricSource: source({ headers: [{ name: "X-Scope-OrgID", value: "" }] }) }), encrypt),
    ).rejects.toMatchObject({ fieldErrors: { "metricSource.headers.0.value": ["Enter the header's value"] } });

    expect((await db.environment.findUniqueOrThrow({ where: { id: env.id } })).metricSource).toBeNull();
    expect(await db.auditEvent.count({ where: { action: "environment.metric_source" } })).toBe(auditsBefore);
  });
});
