import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { SessionUser } from "../auth/session.ts";
import { connectDb, disconnectDb } from "../db/client.ts";
import { makeService, makeUser } from "../testing/harness.ts";
import { listServices } from "./services-and-environments.ts";
import { KEEP_SECRET, updateChecksConfig } from "./checks-config.ts";
import { decryptSecret, encryptSecret } from "../secrets.ts";

const MASTER = "test-session-secret-0123456789abcdef0123456789";
const encrypt = (plain: string) => encryptSecret(plain, MASTER);
const db = connectDb(inject("databaseUrl"));
let admin: SessionUser;

beforeAll(async () => {
  admin = await makeUser(db, "admin");
});
afterAll(async () => {
  await disconnectDb();
});

const stored = async (serviceId: string) => (await db.environment.findFirstOrThrow({ where: { serviceId, name: "staging" } })).checks as Record<string, unknown>;
const qa = JSON.stringify({ workspace: "/srv/releases/{targetVersion}/workspace", junitPaths: ["reports/junit.xml"] });

describe("agent checks in settings", () => {
  it("saves each agent's JSON with placeholders kept, audits it, and lists it back for the form", async () => {
    const svc = await makeService(db);
    const a11y = JSON.stringify({ pages: [{ url: "{canaryUrl}/", name: "home" }] });
    await updateChecksConfig(db, admin, { serviceId: svc.id, name: "staging", configs: { "qa-test-engineer": qa, "accessibility-expert": a11y, "systems-engineer": "" } }, encrypt);
    expect(await stored(svc.id)).toEqual({
      "qa-test-engineer": { workspace: "/srv/releases/{targetVersion}/workspace", junitPaths: ["reports/junit.xml"] },
      "accessibility-expert": { pages: [{ url: "{canaryUrl}/", name: "home" }] },
    });
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "environment.checks" }, orderBy: { id: "desc" } });
    expect(audit.summary).toBe(`Configured checks for ${svc.slug}/staging: qa-test-engineer, accessibility-expert`);
    const listed = (await listServices(db, { includeChecks: true })).find((s) => s.id === svc.id)?.environments.find((e) => e.name === "staging");
    expect(listed?.checksConfigured).toEqual(["qa-test-engineer", "accessibility-expert"]);
    expect(JSON.parse(listed?.checks["qa-test-engineer"] ?? "{}")).toMatchObject({ workspace: "/srv/releases/{targetVersion}/workspace" });
    // Everyone else sees which agents are configured, not their paths and internal URLs.
    const forViewers = (await listServices(db)).find((s) => s.id === svc.id)?.environments.find((e) => e.name === "staging");
    expect(forViewers?.checks).toEqual({});
  });

  it("one bad configuration refuses the whole save with a message per key, and changes nothing", async () => {
    const svc = await makeService(db);
    await updateChecksConfig(db, admin, { serviceId: svc.id, name: "staging", configs: { "qa-test-engineer": qa } }, encrypt);
    const save = updateChecksConfig(
      db,
      admin,
      { serviceId: svc.id, name: "staging", configs: { "qa-test-engineer": "", "devops-engineer": "{ manifestPaths: [] ", "systems-engineer": JSON.stringify({ loadTest: { url: "ftp://x", sla: { p95Ms: 100, p99Ms: 200 } } }) } },
      encrypt,
    );
    await expect(save).rejects.toMatchObject({
      userMessage: "Please correct the highlighted configurations.",
      fieldErrors: {
        "configs.devops-engineer": [expect.stringMatching(/^Not valid JSON: /)],
        "configs.systems-engineer": [expect.stringMatching(/^loadTest\.url: /)],
      },
    });
    expect(Object.keys(await stored(svc.id))).toEqual(["qa-test-engineer"]);
  });

  it("a misspelt key is refused, not silently ignored (the load test would just never run)", async () => {
    const svc = await makeService(db);
    const save = updateChecksConfig(db, admin, { serviceId: svc.id, name: "staging", configs: { "systems-engineer": JSON.stringify({ loadtest: { url: "http://127.0.0.1:1/" } }) } }, encrypt);
    await expect(save).rejects.toMatchObject({ fieldErrors: { "configs.systems-engineer": [expect.stringMatching(/loadtest/)] } });
  });

  it("a database DSN is stored encrypted, shown as a placeholder, and kept when the placeholder comes back", async () => {
    const svc = await makeService(db);
    const dsn = "postgres://app:s3cret-pw@127.0.0.1:5432/shop";
    await updateChecksConfig(db, admin, { serviceId: svc.id, name: "staging", configs: { "post-deploy-health": JSON.stringify({ database: { dsn } }) } }, encrypt);
    const saved = (await stored(svc.id))["post-deploy-health"] as { database: { dsnEncrypted: string } };
    expect(JSON.stringify(saved)).not.toContain("s3cret-pw");
    expect(decryptSecret(saved.database.dsnEncrypted, MASTER)).toBe(dsn);

    const shown = (await listServices(db, { includeChecks: true })).find((s) => s.id === svc.id)?.environments.find((e) => e.name === "staging")?.checks["post-deploy-health"] ?? "";
    expect(shown).not.toContain("s3cret-pw");
    expect(JSON.parse(shown)).toEqual({ database: { dsnEncrypted: KEEP_SECRET } });

    await updateChecksConfig(db, admin, { serviceId: svc.id, name: "staging", configs: { "post-deploy-health": shown } }, encrypt);
    expect(((await stored(svc.id))["post-deploy-health"] as { database: { dsnEncrypted: string } }).database.dsnEncrypted).toBe(saved.database.dsnEncrypted);
  });

  it("the placeholder without a stored secret is refused with what to type instead", async () => {
    const svc = await makeService(db);
    const save = updateChecksConfig(db, admin, { serviceId: svc.id, name: "staging", configs: { "post-deploy-health": JSON.stringify({ database: { dsnEncrypted: KEEP_SECRET } }) } }, encrypt);
    await expect(save).rejects.toMatchObject({ fieldErrors: { "configs.post-deploy-health": ['dsnEncrypted has no stored secret to keep: enter the plain value as "dsn"'] } });
  });
});
