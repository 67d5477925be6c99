import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { actionResult } from "../../../actions/result.ts";
import type { SessionUser } from "../../../auth/session.ts";
import { connectDb, disconnectDb } from "../../../db/client.ts";
import { ZEnvironmentConfigInput } from "../../../db/environment-config-schema.ts";
import type { RouteTarget } from "../../../engine/ports.ts";
import { updateEnvironmentConfig } from "../../../services/environment-config.ts";
import { listServices } from "../../../services/services-and-environments.ts";
import { makeService, makeUser } from "../../../testing/harness.ts";
import { ArraySink } from "../builtin/test-helpers.ts";
import { buildRouter } from "../build-router.ts";
import { RouterRegistry } from "../registry.ts";

// The command router as an admin configures it: saved through the settings' schema and service,
// started by the registry from the database, run for real.
const db = connectDb(inject("databaseUrl"));
const registry = new RouterRegistry();
const build = (config: Parameters<typeof buildRouter>[0]) => buildRouter(config, { sink: new ArraySink() });
let admin: SessionUser;
let dir: string;

beforeAll(async () => {
  admin = await makeUser(db, "admin");
  dir = await mkdtemp(path.join(tmpdir(), "fd-command-settings-"));
});
afterAll(async () => {
  await registry.stopManaged();
  await rm(dir, { recursive: true, force: true });
  await disconnectDb();
});

/** Saves an environment's settings the way the Settings action does: parse, then save; field errors on failure. */
function save(serviceId: string, router: unknown) {
  return actionResult(async () => {
    const input = ZEnvironmentConfigInput.parse({ serviceId, name: "staging", router, hooks: { dataMigration: null, cacheInvalidation: null }, limits: {} });
    await updateEnvironmentConfig(db, admin, input);
    return null;
  });
}

describe("command router settings", () => {
  it("an admin saves a command router, the registry starts it from the database, and a weight change runs it", async () => {
    const svc = await makeService(db);
    const out = path.join(dir, "weight.txt");
    const saved = await save(svc.id, { kind: "command", command: ["/bin/sh", "-c", `printf '%s %s' "$1" "$FLIGHTDECK_SERVICE" > ${out}`, "sh", "{weight}"], workingDirectory: dir });
    expect(saved).toEqual({ ok: true, data: null });

    const env = await db.environment.findFirstOrThrow({ where: { serviceId: svc.id, name: "staging" } });
    expect(env.router).toBe("command");
    expect(env.routerConfig).toMatchObject({ kind: "command", timeoutSeconds: 30 }); // the default is stored
    const listed = (await listServices(db, { includeConfig: true })).find((s) => s.id === svc.id)?.environments.find((e) => e.name === "staging");
    expect(listed?.config?.router).toEqual({ kind: "command", command: ["/bin/sh", "-c", `printf '%s %s' "$1" "$FLIGHTDECK_SERVICE" > ${out}`, "sh", "{weight}"], timeoutSeconds: 30, workingDirectory: dir });

    const report = await registry.syncFromDb(db, build, () => {});
    expect(report.started).toContain(`${svc.slug}/staging`);
    const target: RouteTarget = { runId: "run-1", service: svc.slug, environment: "staging", baseline: "1.0.0", canary: "1.1.0" };
    const router = registry.routerFor("command", target);
    expect(router).not.toBeNull();
    await router?.setWeight(target, 50);
    expect(await readFile(out, "utf8")).toBe(`50 ${svc.slug}`);
    expect(await router?.verifyWeight(target, 50)).toBe(true);

    // A changed timeout restarts it with the new settings.
    await save(svc.id, { kind: "command", command: ["/bin/sh", "-c", "sleep 5"], timeoutSeconds: 1 });
    const again = await registry.syncFromDb(db, build, () => {});
    expect(again.stopped).toContain(`${svc.slug}/staging`);
    await expect(registry.routerFor("command", target)?.setWeight(target, 5)).rejects.toThrow(/timed out after 1 s/);
  });

  it("refuses bad settings with an error on each field, and writes nothing", async () => {
    const svc = await makeService(db);
    const bad = await save(svc.id, { kind: "command", command: ["kubectl", "patch", "{wieght}", "a\0b"], timeoutSeconds: 301, workingDirectory: "relative/dir" });
    expect(bad).toMatchObject({ ok: false, status: 400 });
    const errors = bad.ok ? {} : (bad.fieldErrors ?? {});
    expect(errors["router.command"]).toEqual([
      "Line 1 must be the program's absolute path, e.g. /usr/local/bin/kubectl (no shell, no PATH lookup)",
      "Line 3: unknown placeholder {wieght}; use {weight}, {baselineWeight}, {service}, {environment}, {runId}, {baselineVersion}, {canaryVersion}",
      "Line 4 contains a NUL character",
    ]);
    expect(errors["router.timeoutSeconds"]).toEqual(["1–300 seconds"]);
    expect(errors["router.workingDirectory"]).toEqual(["Enter an absolute directory without “..”, e.g. /var/lib/flightdeck/nginx"]);

    const empty = await save(svc.id, { kind: "command", command: [], timeoutSeconds: 0.5 });
    const emptyErrors = empty.ok ? {} : (empty.fieldErrors ?? {});
    expect(emptyErrors["router.command"]).toContain("Enter the program's absolute path on the first line");
    expect(emptyErrors["router.timeoutSeconds"]).toEqual(["Enter whole seconds"]);

    const placeholderProgram = await save(svc.id, { kind: "command", command: ["/usr/local/bin/{service}"] });
    expect(placeholderProgram.ok ? {} : placeholderProgram.fieldErrors).toEqual({ "router.command": ["Line 1, the program, cannot hold a placeholder"] });

    const env = await db.environment.findFirstOrThrow({ where: { serviceId: svc.id, name: "staging" } });
    expect([env.router, env.routerConfig]).toEqual(["manual", {}]);
    expect(await db.auditEvent.count({ where: { action: "environment.config", summary: { contains: svc.slug } } })).toBe(0);
  });
});
