import { createHash, randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import { GET } from "../../app/api/audit/route.ts";
import { getAuth } from "../auth/auth.ts";
import { entryHash, GENESIS_HASH } from "../core/audit-chain.ts";
import { connectDb, disconnectDb, type Tx } from "../db/client.ts";
import { writeAudit } from "../db/audit-log.ts";
import { PrismaClient } from "../db/generated/client.ts";
import { setRuntime } from "../runtime.ts";
import { makeUser } from "../testing/harness.ts";
import { type AuditChainReport, type AuditExport, chainHeadHeader, exportAuditTrail, runAuditVerify, sha256Hex, verifyAuditChain } from "./audit-chain.ts";

// The tamper-evident audit trail against the real PostgreSQL. Other test files append to the
// same table at the same time, so nothing here assumes it is alone: entries are found by a
// unique marker, and tampering happens inside a transaction that is rolled back once verified.
const db = connectDb(inject("databaseUrl"));
const actor = { id: "system", name: "audit chain test", role: "system" };

afterAll(async () => {
  await disconnectDb();
});

/** Appends one entry in its own transaction; returns its id. */
async function append(summary: string, detail: Record<string, unknown> = {}): Promise<bigint> {
  const marker = randomUUID();
  await db.$transaction((tx) => writeAudit(tx, { actor, action: "test.chain", summary, detail: { ...detail, marker } }));
  const row = await db.auditEvent.findFirstOrThrow({ where: { detail: { path: ["marker"], equals: marker } } });
  return row.id;
}

class RolledBack extends Error {
  constructor(readonly report: AuditChainReport) {
    super("rolled back on purpose");
  }
}

/**
 * Tampers as the table's owner would by hand (lifting the append-only trigger), verifies inside
 * the same transaction, and rolls everything back so the shared trail stays intact.
 */
async function verifyAfterTampering(tamper: (tx: Tx) => Promise<void>): Promise<AuditChainReport> {
  try {
    await db.$transaction(
      async (tx) => {
        await tamper(tx);
        throw new RolledBack(await verifyAuditChain(tx));
      },
      { timeout: 60_000 },
    );
  } catch (e) {
    if (e instanceof RolledBack) return e.report;
    throw e;
  }
  throw new Error("unreachable: the transaction always rolls back");
}

const liftGuard = (tx: Tx) => tx.$executeRawUnsafe("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update_delete");

describe("the audit chain", () => {
  it("chains every append — Prisma or raw SQL, awkward details included — and verify re-computes each hash in TypeScript", async () => {
    const a = await append("nested, unicode, key order", { zeta: 1, a: { y: [1, 2, { b: "é", a: "😀" }], x: null }, "ключ": "значение", "": "empty key", quote: 'say "hi"\n\ttab' });
    const b = await append("numbers", { int: 10, float: 0.1 + 0.2, big: 1e21, small: 1e-7, neg: -0, max: Number.MAX_SAFE_INTEGER });
    // Raw SQL, as psql would: numbers in forms JavaScript cannot keep (1.0, 1.50, 1e3), keys out
    // of order, duplicate keys, escapes; and a forged prevHash/hash, which the trigger replaces.
    const [raw] = await db.$queryRawUnsafe<{ id: bigint; prevHash: string; hash: string }[]>(
      `INSERT INTO audit_event ("actorId", "actorName", "actorRole", action, summary, detail, "prevHash", hash)
       VALUES ('system', 'psql', 'system', 'test.chain', 'by hand',
               '{"b": 1.0, "a": 1e3, "c": 1.50, "dup": 1, "dup": 2, "u": "\\u00e9\\u0001", "n": {"z": [1.0, 2e-3], "a": {}}}'::jsonb,
               'forged', 'forged')
       RETURNING id, "prevHash", hash`,
    );
    expect(raw?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(raw?.prevHash).toMatch(/^[0-9a-f]{64}$/);

    // An id given by hand that would land inside the chain is re-drawn, so id order stays chain order.
    const [old] = await db.$queryRawUnsafe<{ id: bigint }[]>(
      `INSERT INTO audit_event (id, "actorId", "actorName", "actorRole", action, summary) VALUES (${a}, 'system', 'psql', 'system', 'test.chain', 'old id') RETURNING id`,
    );
    expect(old?.id).toBeGreaterThan(raw?.id ?? 0n);

    const mine = (await exportAuditTrail(db, { limit: 100_000 })).entries.filter((e) => [a, b, raw?.id].map(String).includes(e.id));
    expect(mine).toHaveLength(3);
    for (const e of mine) expect(entryHash(e.prevHash, e, sha256Hex), `entry #${e.id}`).toBe(e.hash);
    expect(mine[2]?.detailText).toContain('"b": 1.0');

    const report = await verifyAuditChain(db);
    expect(report).toMatchObject({ ok: true });
    expect(report.firstBroken).toBeUndefined();
    expect(BigInt(report.head?.id ?? 0)).toBeGreaterThanOrEqual(raw?.id ?? 0n);
    const { exitCode, text } = await runAuditVerify(db);
    expect(exitCode).toBe(0);
    expect(text).toMatch(/^Intact: \d+ entries, head [0-9a-f]{64} at #\d+$/);
  });

  it("keeps one chain without forks when 20 transactions append at once", async () => {
    const marker = randomUUID();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        db.$transaction(async (tx) => {
          await writeAudit(tx, { actor, action: "test.chain.concurrent", summary: `writer ${i}`, detail: { marker, i } });
          // Hold the transaction open a little, so the appends really overlap.
          await tx.$executeRaw`SELECT pg_sleep(0.01)`;
        }, { maxWait: 30_000 }),
      ),
    );
    const rows = await db.auditEvent.findMany({ where: { detail: { path: ["marker"], equals: marker } }, orderBy: { id: "asc" } });
    expect(rows).toHaveLength(20);
    // Each follows exactly the entry before it by id, whoever wrote that one.
    for (const r of rows) {
      const before = await db.auditEvent.findFirst({ where: { id: { lt: r.id } }, orderBy: { id: "desc" } });
      expect(r.prevHash, `entry #${r.id}`).toBe(before?.hash ?? GENESIS_HASH);
    }
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });

  it("names an entry edited by hand as the owner (hash mismatch) — that entry, not the ones around it", async () => {
    await append("before");
    const edited = await append("Approved the gate");
    await append("after");
    const report = await verifyAfterTampering(async (tx) => {
      await liftGuard(tx);
      await tx.$executeRaw`UPDATE audit_event SET summary = 'Rejected the gate' WHERE id = ${edited}`;
    });
    expect(report.ok).toBe(false);
    expect(report.firstBroken).toMatchObject({ id: String(edited), action: "test.chain", reason: "hash mismatch" });
    expect(report.firstBroken?.at).toMatch(/^\d{4}-\d\d-\d\dT/);

    // Editing only the detail is caught the same way.
    const detailOnly = await verifyAfterTampering(async (tx) => {
      await liftGuard(tx);
      await tx.$executeRaw`UPDATE audit_event SET detail = detail || '{"reason": "changed"}'::jsonb WHERE id = ${edited}`;
    });
    expect(detailOnly.firstBroken).toMatchObject({ id: String(edited), reason: "hash mismatch" });

    // The rollback left the trail as it was.
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });

  it("catches an entry re-hashed after editing, at the entry after it (prev mismatch)", async () => {
    const edited = await append("Approved the gate");
    const next = await append("after");
    const report = await verifyAfterTampering(async (tx) => {
      await liftGuard(tx);
      await tx.$executeRaw`UPDATE audit_event SET summary = 'Rejected the gate',
        hash = audit_chain_hash("prevHash", id, at, "actorId", "actorName", "actorRole", action, "runId", 'Rejected the gate', detail) WHERE id = ${edited}`;
    });
    const after = await db.auditEvent.findFirstOrThrow({ where: { id: { gt: edited } }, orderBy: { id: "asc" } });
    expect(after.id).toBeLessThanOrEqual(next);
    expect(report.firstBroken).toMatchObject({ id: String(after.id), reason: "prev mismatch" });
  });

  it("catches a deleted entry at the one after it, and deleted newest entries as missing", async () => {
    const deleted = await append("to be deleted");
    await append("after");
    const report = await verifyAfterTampering(async (tx) => {
      await liftGuard(tx);
      await tx.$executeRaw`DELETE FROM audit_event WHERE id = ${deleted}`;
    });
    const after = await db.auditEvent.findFirstOrThrow({ where: { id: { gt: deleted } }, orderBy: { id: "asc" } });
    expect(report.firstBroken).toMatchObject({ id: String(after.id), reason: "prev mismatch" });

    // The newest entry has no successor to betray it; the chain head still names it.
    let newest = 0n;
    const tail = await verifyAfterTampering(async (tx) => {
      await writeAudit(tx, { actor, action: "test.chain", summary: "newest, then deleted" });
      const [row] = await tx.$queryRaw<{ id: bigint }[]>`SELECT max(id) AS id FROM audit_event`;
      newest = row?.id ?? 0n;
      await liftGuard(tx);
      await tx.$executeRaw`DELETE FROM audit_event WHERE id = ${newest}`;
    });
    expect(tail.firstBroken).toEqual({ id: String(newest), at: null, action: null, reason: "missing" });
    const { exitCode, text } = await runAuditVerify(db);
    expect([exitCode, text.startsWith("Intact")]).toEqual([0, true]);
  });

  it("exports a copy an auditor can check on its own, from the JSON alone", async () => {
    await append("exported", { n: 1.5, s: "ü" });
    const exported = await exportAuditTrail(db, { limit: 12 });
    const copy = JSON.parse(JSON.stringify(exported)) as typeof exported;
    expect(copy.entries).toHaveLength(12);
    expect(chainHeadHeader(copy.chain.head)).toMatch(/^\d+:[0-9a-f]{64}$/);

    // The auditor's own re-computation, written from the algorithm's description alone.
    const sha = (t: string) => createHash("sha256").update(t, "utf8").digest("hex");
    const field = (v: string | null) => (v === null ? "-\n" : `${Buffer.byteLength(v, "utf8")}:${v}\n`);
    let prev = copy.entries[0]?.prevHash ?? "";
    for (const e of copy.entries) {
      expect(e.prevHash).toBe(prev);
      const text = `flightdeck-audit-v1\n${e.prevHash}\n` + [e.id, e.at, e.actorId, e.actorName, e.actorRole, e.action, e.runId, e.summary, e.detailText].map(field).join("");
      expect(sha(text), `entry #${e.id}`).toBe(e.hash);
      expect(e.detail).toEqual(JSON.parse(e.detailText));
      prev = e.hash;
    }
    expect(copy.chain.head).toEqual({ id: copy.entries.at(-1)?.id, hash: prev });
    expect(copy.chain.algorithm).toContain("sha256");

    // A changed copy no longer checks out.
    const forged = { ...copy.entries[10], summary: "something else" };
    expect(sha(`flightdeck-audit-v1\n${forged.prevHash}\n` + [forged.id, forged.at, forged.actorId, forged.actorName, forged.actorRole, forged.action, forged.runId, forged.summary, forged.detailText].map((v) => field(v ?? null)).join(""))).not.toBe(forged.hash);
  });
});

describe("the audit chain migration", () => {
  it("chains the entries written before it, in id order, and appends after them", async () => {
    // A scratch database on the same server, migrated up to just before the chain.
    const url = new URL(inject("databaseUrl"));
    const name = `audit_backfill_${randomUUID().replaceAll("-", "")}`;
    const admin = new pg.Client({ connectionString: url.toString() });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const scratchUrl = new URL(url);
    scratchUrl.pathname = `/${name}`;
    const scratch = new pg.Client({ connectionString: scratchUrl.toString() });
    await scratch.connect();
    const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: scratchUrl.toString() }) });
    try {
      const dir = path.resolve("prisma/migrations");
      const migrations = readdirSync(dir).filter((d) => /^\d+_/.test(d)).sort();
      const chain = migrations.indexOf("20261206120000_audit_chain");
      for (const m of migrations.slice(0, chain)) await scratch.query(readFileSync(path.join(dir, m, "migration.sql"), "utf8"));
      await scratch.query(`INSERT INTO audit_event ("actorId", "actorName", "actorRole", action, summary, detail) VALUES
        ('u1', 'Ada', 'admin', 'run.create', 'first', '{"b": 1.0, "a": "é"}'),
        ('u2', 'Bob', 'viewer', 'run.approve', 'second', '{}'),
        ('engine', 'Flightdeck engine', 'system', 'run.finish', 'third', '{"n": [1e3, {"z": null}]}')`);
      await scratch.query(readFileSync(path.join(dir, migrations[chain] ?? "", "migration.sql"), "utf8"));

      const before = await verifyAuditChain(prisma);
      expect(before).toMatchObject({ ok: true, entries: 3, head: { id: "3" } });
      const first = await prisma.auditEvent.findFirstOrThrow({ orderBy: { id: "asc" } });
      expect(first.prevHash).toBe(GENESIS_HASH);

      await prisma.$transaction((tx) => writeAudit(tx, { actor, action: "test.chain", summary: "after the migration" }));
      expect(await verifyAuditChain(prisma)).toMatchObject({ ok: true, entries: 4, head: { id: "4" } });
      // The append-only guard is back on after the backfill.
      await expect(scratch.query("UPDATE audit_event SET summary = 'x' WHERE id = 1")).rejects.toThrow(/append-only/);
    } finally {
      await prisma.$disconnect();
      await scratch.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });
});

describe("GET /api/audit exports", () => {
  it("carry the chain head in a header, and each entry's prevHash and hash (CSV and JSON); the list stays as it was", async () => {
    setRuntime({ databaseUrl: inject("databaseUrl"), authSecret: "audit-chain-test-secret-0123456789abcdef", publicUrl: "http://127.0.0.1:3000", testMode: true });
    const viewer = await makeUser(db, "viewer");
    const signedIn = await getAuth().api.signInEmail({ body: { email: viewer.email, password: "correct horse battery" }, headers: new Headers(), returnHeaders: true });
    const cookie = signedIn.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const get = (query: string, headers: Record<string, string> = { cookie }) => GET(new Request(`http://127.0.0.1:3000/api/audit${query}`, { headers }));
    await append("=HYPERLINK(\"http://x\") in an export");

    const json = await get("?format=json");
    expect(json.status).toBe(200);
    const body = (await json.json()) as AuditExport;
    expect(json.headers.get("x-audit-chain-head")).toBe(`${body.chain.head?.id}:${body.chain.head?.hash}`);
    const last = body.entries.at(-1);
    expect(body.chain.head).toEqual({ id: last?.id, hash: last?.hash });
    expect(last).toMatchObject({ prevHash: expect.stringMatching(/^[0-9a-f]{64}$/), hash: expect.stringMatching(/^[0-9a-f]{64}$/) });

    const csv = await get("?format=csv");
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect(csv.headers.get("x-audit-chain-head")).toMatch(/^\d+:[0-9a-f]{64}$/);
    const text = await csv.text();
    expect(text.split("\r\n")[0]).toBe('"id","at","actorId","actor","role","action","run","summary","detail","prevHash","hash"');
    expect(text).toContain(`"'=HYPERLINK(""http://x"") in an export"`); // still neutralised for spreadsheets

    const list = (await (await get("")).json()) as Record<string, unknown>[];
    expect(Object.keys(list[0] ?? {}).sort()).toEqual(["action", "actorName", "actorRole", "at", "id", "runId", "summary"]);
    expect((await get("?format=json", {})).status).toBe(401);
  });
});
