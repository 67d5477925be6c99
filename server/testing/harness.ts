import { runHook } from "../adapters/hooks/run-hook.ts";
import { readRecordMaterial } from "../adapters/checks/release-record-material.ts";
import { randomUUID } from "node:crypto";
import { MemoryNotifier } from "../adapters/memory.ts";
import { notConfiguredRunner } from "../adapters/checks/not-configured.ts";
import type { SessionUser } from "../auth/session.ts";
import type { Role } from "../core/types.ts";
import { connectDb, type Db } from "../db/client.ts";
import { Engine } from "../engine/engine.ts";
import type { CheckRunner } from "../engine/ports.ts";
import type { EngineDeps } from "../engine/deps.ts";
import type { DomainEvent } from "../realtime/event-map.ts";
import { createRun } from "../services/runs.ts";
import type { TCreateRunInput } from "../services/schemas.ts";
import { createUser } from "../services/users.ts";

/** Seed factory: a service with staging and production environments, unique per call. */
export async function makeService(db: Db, opts: { router?: string; holdScale?: number } = {}) {
  const slug = `svc-${randomUUID().slice(0, 8)}`;
  return db.service.create({
    data: {
      slug,
      name: `Service ${slug}`,
      currentVersion: "1.0.0",
      runbook: "Restart the pods; page the owner.",
      environments: {
        create: [
          { name: "staging", holdScale: opts.holdScale ?? 1, router: opts.router ?? "manual" },
          { name: "production", holdScale: opts.holdScale ?? 1, router: opts.router ?? "manual" },
        ],
      },
    },
    include: { environments: true },
  });
}

/** Seed factory: a real user (Better Auth account with a scrypt hash) with a role. */
export async function makeUser(db: Db, role: Role): Promise<SessionUser> {
  const email = `${role}-${randomUUID().slice(0, 8)}@test.local`;
  const name = `${role.replace("_", " ")} ${email.slice(-15, -11)}`;
  const { id } = await createUser(db, { id: "system", name: "test", role: "system" }, { name, email, role, password: "correct horse battery" });
  return { id, name, email, role };
}

/**
 * An engine over the test database with in-memory adapters, and what it published. Its services
 * are on the manual router (makeService's default): an operator confirms each weight.
 */
export function makeEngine(databaseUrl: string, opts: { checks?: CheckRunner; routerFor?: EngineDeps["routerFor"] } = {}) {
  const db = connectDb(databaseUrl);
  const published: DomainEvent[] = [];
  const notifier = new MemoryNotifier();
  const errors: unknown[] = [];
  const engine = testEngine(db, {
    publish: (e) => published.push(e),
    notifier,
    ...(opts.routerFor ? { routerFor: opts.routerFor } : {}),
    checkRunnerFor: () => opts.checks ?? notConfiguredRunner,
    onError: (_where, e) => errors.push(e),
  });
  return { db, engine, published, notifier, errors };
}

/**
 * An engine as the tests wire it: the real rollback hook and record material, no checks
 * configured, no router, no notifications kept, a fast tick; `overrides` replace any of these.
 */
export function testEngine(db: Db, overrides: Partial<Omit<EngineDeps, "db">> = {}): Engine {
  return new Engine({
    runRollbackHook: runHook,
    readRecordMaterial,
    db,
    publish: () => {},
    clock: () => Date.now(),
    notifier: new MemoryNotifier(),
    routerFor: () => null,
    checkRunnerFor: () => notConfiguredRunner,
    checkTimeoutMs: 5_000,
    tickMs: 50,
    onError: () => {},
    ...overrides,
  });
}

export function runInput(serviceId: string, overrides: Partial<TCreateRunInput> = {}): TCreateRunInput {
  return { serviceId, environment: "production", targetVersion: "1.1.0", strategy: "canary", risk: "medium", compliance: "none", ...overrides };
}

/** Creates and starts a run the way the server action does. */
export async function startRun(h: ReturnType<typeof makeEngine>, actor: SessionUser, input: TCreateRunInput) {
  return createRun({ db: h.db, engine: h.engine, globalHoldScale: 1, now: Date.now() }, actor, input);
}

/** Polls until `check` returns a truthy value or the time runs out. */
export async function eventually<T>(check: () => Promise<T | null | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

