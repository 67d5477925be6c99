import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { SessionUser } from "../auth/session.ts";
import { connectDb, disconnectDb } from "../db/client.ts";
import { makeService, makeUser } from "../testing/harness.ts";
import { listServices } from "./services-and-environments.ts";
import { parseHooks, parseRouterConfig, ZEnvironmentConfigInput, ZRouterConfigInput, ZHookInput, type TEnvironmentConfigInput } from "../db/environment-config-schema.ts";
import { updateEnvironmentConfig } from "./environment-config.ts";
import { decryptSecret, encryptSecret } from "../secrets.ts";
import { resourceLimits } from "./demo.ts";

const MASTER = "test-session-secret-0123456789abcdef0123456789";
const db = connectDb(inject("databaseUrl"));
let admin: SessionUser;

beforeAll(async () => {
  admin = await makeUser(db, "admin");
});
afterAll(async () => {
  await disconnectDb();
});

describe("secrets at rest", () => {
  it("round-trips, and never stores the plaintext or the same ciphertext twice", () => {
    const a = encryptSecret("hunter2-webhook-token", MASTER);
    const b = encryptSecret("hunter2-webhook-token", MASTER);
    expect(a).toMatch(/^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(a).not.toContain("hunter2");
    expect(a).not.toBe(b); // fresh IV each time
    expect(decryptSecret(a, MASTER)).toBe("hunter2-webhook-token");
  });

  it("detects tampering and a changed session secret", () => {
    const stored = encryptSecret("token", MASTER);
    const [v, iv, tag, data] = stored.split(":") as [string, string, string, string];
    const flipped = Buffer.from(data, "base64");
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() => decryptSecret([v, iv, tag, flipped.toString("base64")].join(":"), MASTER)).toThrow(/altered/);
    const badTag = Buffer.from(tag, "base64");
    badTag[0] = (badTag[0] ?? 0) ^ 1;
    expect(() => decryptSecret([v, iv, badTag.toString("base64"), data].join(":"), MASTER)).toThrow(/altered/);
    expect(() => decryptSecret(stored, `${MASTER}-rotated`)).toThrow(/altered or the session secret changed/);
    expect(() => decryptSecret("token", MASTER)).toThrow(/not an encrypted secret/);
  });
});

describe("environment config schema", () => {
  const messages = (r: { success: boolean; error?: { issues: { message: string }[] } }) => r.error?.issues.map((i) => i.message) ?? [];

  it("accepts each router kind with good settings", () => {
    expect(ZRouterConfigInput.safeParse({ kind: "manual" }).success).toBe(true);
    expect(ZRouterConfigInput.safeParse({ kind: "builtin", listenPort: 8080, baselineUrl: "http://127.0.0.1:4001", canaryUrl: "http://127.0.0.1:4002" }).success).toBe(true);
    expect(ZRouterConfigInput.safeParse({ kind: "nginx", listenPort: 8080, prefix: "/var/lib/fd/nginx", baselineUpstream: "127.0.0.1:8081", canaryUpstream: "127.0.0.1:8082" }).success).toBe(true);
    expect(ZRouterConfigInput.safeParse({ kind: "webhook", url: "https://deploy.example/hooks", secret: "s" }).success).toBe(true);
  });

  it("rejects bad URLs, ports and prefixes with messages a person can act on", () => {
    expect(messages(ZRouterConfigInput.safeParse({ kind: "builtin", listenPort: 8080, baselineUrl: "ftp://127.0.0.1", canaryUrl: "not a url" }))).toEqual([
      "Enter an http:// URL, e.g. http://127.0.0.1:4001",
      "Enter an http:// URL, e.g. http://127.0.0.1:4001",
    ]);
    expect(messages(ZRouterConfigInput.safeParse({ kind: "builtin", listenPort: 70_000, baselineUrl: "http://a:1", canaryUrl: "http://b:2" }))).toEqual(["Port must be 1–65535"]);
    expect(messages(ZRouterConfigInput.safeParse({ kind: "builtin", listenPort: 80.5, baselineUrl: "http://a:1", canaryUrl: "http://b:2" }))).toEqual(["Enter a whole number"]);
    expect(ZRouterConfigInput.safeParse({ kind: "nginx", listenPort: 8080, prefix: "nginx/prefix", baselineUpstream: "127.0.0.1:8081", canaryUpstream: "127.0.0.1:8082" }).success).toBe(false);
    expect(ZRouterConfigInput.safeParse({ kind: "nginx", listenPort: 8080, prefix: "/srv/../etc", baselineUpstream: "127.0.0.1:8081", canaryUpstream: "127.0.0.1:8082" }).success).toBe(false);
    expect(messages(ZRouterConfigInput.safeParse({ kind: "nginx", listenPort: 8080, prefix: "/srv/nginx", baselineUpstream: "http://127.0.0.1:8081", canaryUpstream: "127.0.0.1:99999" }))).toEqual([
      "Enter host:port, e.g. 127.0.0.1:8081",
      "Port must be 1–65535",
    ]);
    expect(ZRouterConfigInput.safeParse({ kind: "webhook", url: "javascript:alert(1)", secret: "s" }).success).toBe(false);
  });

  it("limits a command hook to an absolute program and at most 10 minutes", () => {
    expect(ZHookInput.safeParse({ kind: "command", command: "/bin/sh", args: ["-c", "echo migrated"], timeoutMs: 600_000 }).success).toBe(true);
    expect(messages(ZHookInput.safeParse({ kind: "command", command: "/bin/sh", args: [], timeoutMs: 600_001 }))).toEqual(["At most 10 minutes (600000 ms)"]);
    expect(ZHookInput.safeParse({ kind: "command", command: "sh", args: [], timeoutMs: 1_000 }).success).toBe(false);
  });
});

describe("saving an environment's config", () => {
  const input = (serviceId: string, over: Partial<TEnvironmentConfigInput> = {}): TEnvironmentConfigInput =>
    ZEnvironmentConfigInput.parse({
      serviceId,
      name: "staging",
      router: { kind: "webhook", url: "http://127.0.0.1:9/deploy", secret: "router-secret" },
      hooks: { dataMigration: { kind: "command", command: "/bin/true", args: [], timeoutMs: 5_000 }, cacheInvalidation: { kind: "webhook", url: "http://127.0.0.1:9/purge", secret: "purge-secret" } },
      limits: { memoryMb: 512, cpuCores: 2 },
      ...over,
    });
  const encrypt = (p: string) => encryptSecret(p, MASTER);

  it("encrypts secrets, keeps them when left empty, audits without them, and shows only 'secretSet'", async () => {
    const svc = await makeService(db);
    await updateEnvironmentConfig(db, admin, input(svc.id), encrypt);
    let env = await db.environment.findFirstOrThrow({ where: { serviceId: svc.id, name: "staging" } });
    expect(env.router).toBe("webhook");
    const router = parseRouterConfig(env.routerConfig);
    expect(router?.kind === "webhook" && decryptSecret(router.secret, MASTER)).toBe("router-secret");
    expect(JSON.stringify(env.routerConfig)).not.toContain("router-secret");
    expect(JSON.stringify(env.hooks)).not.toContain("purge-secret");

    // Saved again with empty secrets: the stored ones stay.
    await updateEnvironmentConfig(
      db,
      admin,
      input(svc.id, {
        router: { kind: "webhook", url: "http://127.0.0.1:9/deploy2", secret: "" },
        hooks: { dataMigration: null, cacheInvalidation: { kind: "webhook", url: "http://127.0.0.1:9/purge", secret: "" } },
      }),
      encrypt,
    );
    env = await db.environment.findFirstOrThrow({ where: { serviceId: svc.id, name: "staging" } });
    const kept = parseRouterConfig(env.routerConfig);
    expect(kept?.kind === "webhook" && [kept.url, decryptSecret(kept.secret, MASTER)]).toEqual(["http://127.0.0.1:9/deploy2", "router-secret"]);
    const hooks = parseHooks(env.hooks);
    expect(hooks.dataMigration).toBeNull();
    expect(hooks.cacheInvalidation?.kind === "webhook" && decryptSecret(hooks.cacheInvalidation.secret, MASTER)).toBe("purge-secret");

    const audit = await db.auditEvent.findMany({ where: { action: "environment.config", summary: { contains: svc.slug } } });
    expect(audit).toHaveLength(2);
    expect(JSON.stringify(audit.map((a) => [a.summary, a.detail]))).not.toMatch(/router-secret|purge-secret|v1:/);

    // Hook command lines and router addresses are for those who manage settings; others get none.
    const forViewers = (await listServices(db)).find((s) => s.id === svc.id)?.environments.find((e) => e.name === "staging");
    expect(forViewers?.config).toBeNull();
    const listed = (await listServices(db, { includeConfig: true })).find((s) => s.id === svc.id)?.environments.find((e) => e.name === "staging");
    expect(listed?.config).toEqual({
      router: { kind: "webhook", url: "http://127.0.0.1:9/deploy2", secretSet: true },
      hooks: { dataMigration: null, cacheInvalidation: { kind: "webhook", url: "http://127.0.0.1:9/purge", secretSet: true } },
      limits: { memoryMb: 512, cpuCores: 2 },
    });
    expect(JSON.stringify(listed)).not.toContain("v1:");
  });

  it("refuses a new webhook without a secret, on the secret's field, and changes nothing", async () => {
    const svc = await makeService(db);
    await expect(updateEnvironmentConfig(db, admin, input(svc.id, { router: { kind: "webhook", url: "http://127.0.0.1:9/x", secret: "" } }), encrypt)).rejects.toMatchObject({
      fieldErrors: { "router.secret": ["Enter the shared secret"] },
    });
    const env = await db.environment.findFirstOrThrow({ where: { serviceId: svc.id, name: "staging" } });
    expect([env.router, env.routerConfig, env.hooks]).toEqual(["manual", {}, {}]);
  });

  it("stores a manual router as empty settings", async () => {
    const svc = await makeService(db, { router: "builtin" });
    await updateEnvironmentConfig(db, admin, input(svc.id, { router: { kind: "manual" } }), encrypt);
    const env = await db.environment.findFirstOrThrow({ where: { serviceId: svc.id, name: "staging" } });
    expect([env.router, env.routerConfig]).toEqual(["manual", {}]);
  });
});

describe("resource limits for the CPU and memory triggers", () => {
  const defaults = { memoryBytes: 256 * 1024 * 1024, cpuCores: 1 };
  it("uses the environment's limits where set and the default elsewhere", () => {
    expect(resourceLimits({}, defaults)).toEqual(defaults);
    expect(resourceLimits({ memoryMb: 512 }, defaults)).toEqual({ memoryBytes: 512 * 1024 * 1024, cpuCores: 1 });
    expect(resourceLimits({ memoryMb: 128, cpuCores: 0.5 }, defaults)).toEqual({ memoryBytes: 128 * 1024 * 1024, cpuCores: 0.5 });
    expect(resourceLimits({ memoryMb: -1 }, defaults)).toEqual(defaults); // invalid stored limits are ignored
  });
});
