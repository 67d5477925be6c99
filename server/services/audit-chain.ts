import { createHash } from "node:crypto";
import {
  AUDIT_CHAIN_ALGORITHM,
  type ChainBreakReason,
  GENESIS_HASH,
  type StoredChainEntry,
  checkNextEntry,
  startChainCheck,
} from "../core/audit-chain.ts";
import type { Db, Tx } from "../db/client.ts";

/** The database the chain is read from: the client, or a transaction (so a check can see its own changes). */
type Reader = Db | Tx;

/** Rows read per query while verifying, so a trail of millions of entries never sits in memory. */
const PAGE_SIZE = 2000;

/** hex SHA-256 of a string's UTF-8 bytes. */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** What `verifyAuditChain` found. */
export type AuditChainReport = {
  /** true when every entry follows the one before it and matches its hash */
  ok: boolean;
  /** entries found intact (up to the first broken one) */
  entries: number;
  /** the newest intact entry checked, or null for an empty trail */
  head: { id: string; hash: string } | null;
  /** the first entry that breaks the chain, when one does */
  firstBroken?: {
    id: string;
    /** when it was written (ISO), or null when the entry is gone */
    at: string | null;
    /** its action, or null when the entry is gone */
    action: string | null;
    reason: ChainBreakReason;
  };
};

type ChainRow = {
  id: bigint;
  at: Date;
  actorId: string;
  actorName: string;
  actorRole: string;
  action: string;
  runId: string | null;
  summary: string;
  detailText: string;
  prevHash: string;
  hash: string;
};

function toEntry(r: ChainRow): StoredChainEntry {
  return {
    id: String(r.id),
    at: r.at.toISOString(),
    actorId: r.actorId,
    actorName: r.actorName,
    actorRole: r.actorRole,
    action: r.action,
    runId: r.runId,
    summary: r.summary,
    // PostgreSQL's own text of the stored jsonb: see ChainEntry.detailText.
    detailText: r.detailText,
    prevHash: r.prevHash,
    hash: r.hash,
  };
}

async function entriesAfter(db: Reader, afterId: bigint, limit: number): Promise<StoredChainEntry[]> {
  const rows = await db.$queryRaw<ChainRow[]>`
    SELECT "id", "at", "actorId", "actorName", "actorRole", "action", "runId", "summary",
           "detail"::text AS "detailText", "prevHash", "hash"
      FROM "audit_event" WHERE "id" > ${afterId} ORDER BY "id" LIMIT ${limit}`;
  return rows.map(toEntry);
}

async function chainHead(db: Reader): Promise<{ id: string; hash: string } | null> {
  const rows = await db.$queryRaw<{ lastId: bigint; lastHash: string }[]>`SELECT "lastId", "lastHash" FROM "audit_chain_head" WHERE "id" = 1`;
  const row = rows[0];
  return row && row.lastId > 0n ? { id: String(row.lastId), hash: row.lastHash } : null;
}

/**
 * Re-computes the whole audit chain from the stored fields, oldest first, a page at a time, and
 * names the first entry that breaks it. Independent of the database's hash function: only the
 * fields are read. Entries appended while it runs are checked too (appends only extend the
 * chain). The newest entry the chain head recorded when the check began must still be there, so
 * deleting the latest entries is caught as well ("missing").
 */
export async function verifyAuditChain(db: Reader): Promise<AuditChainReport> {
  const recordedHead = await chainHead(db);
  let check = startChainCheck();
  let seenRecordedHead = recordedHead === null;
  let afterId = 0n;
  for (;;) {
    const page = await entriesAfter(db, afterId, PAGE_SIZE);
    for (const e of page) {
      const before = check;
      check = checkNextEntry(check, e, sha256Hex);
      if (check.broken) {
        const b = check.broken;
        return { ok: false, entries: check.entries, head: check.last, firstBroken: { id: b.entry.id, at: b.entry.at, action: b.entry.action, reason: b.reason } };
      }
      if (recordedHead && e.id === recordedHead.id) {
        // An intact entry whose hash is not the one the head recorded was rewritten with the whole rest of the chain.
        if (e.hash !== recordedHead.hash) return { ok: false, entries: before.entries, head: before.last, firstBroken: { id: e.id, at: e.at, action: e.action, reason: "hash mismatch" } };
        seenRecordedHead = true;
      }
    }
    const last = page.at(-1);
    if (!last || page.length < PAGE_SIZE) break;
    afterId = BigInt(last.id);
  }
  if (!seenRecordedHead && recordedHead) {
    return { ok: false, entries: check.entries, head: check.last, firstBroken: { id: recordedHead.id, at: null, action: null, reason: "missing" } };
  }
  return { ok: true, entries: check.entries, head: check.last };
}

/** One line a person reads: what verify found. */
export function describeAuditChain(r: AuditChainReport): string {
  if (r.firstBroken) {
    const b = r.firstBroken;
    const what = b.at && b.action ? ` (${b.at}, ${b.action})` : "";
    return `Broken at entry #${b.id}${what}: ${b.reason}`;
  }
  return r.head ? `Intact: ${r.entries} entries, head ${r.head.hash} at #${r.head.id}` : "Intact: 0 entries (the audit trail is empty)";
}

/**
 * For the CLI's `flightdeck admin audit verify`: exit code 0 when the chain is intact, 1 when it
 * is broken, and the line to print.
 */
export async function runAuditVerify(db: Reader): Promise<{ exitCode: 0 | 1; text: string; report: AuditChainReport }> {
  const report = await verifyAuditChain(db);
  return { exitCode: report.ok ? 0 : 1, text: describeAuditChain(report), report };
}

/** One entry of an export: what happened, and what an auditor needs to re-compute its hash. */
export type AuditExportEntry = StoredChainEntry & {
  /** the detail, parsed (for reading; the hash covers detailText) */
  detail: unknown;
};

/** An export of the audit trail an auditor can check on its own. */
export type AuditExport = {
  chain: {
    /** how each hash is computed */
    algorithm: string;
    /** prevHash of the trail's very first entry */
    genesis: string;
    /** the newest exported entry, which is the chain's head when the export was made (null if empty) */
    head: { id: string; hash: string } | null;
  };
  /** the newest entries, oldest first (each follows the one before it) */
  entries: AuditExportEntry[];
};

/**
 * The newest `limit` entries with their hashes, oldest first, read in one statement so the copy
 * is a consecutive stretch of the chain ending at its head.
 */
export async function exportAuditTrail(db: Reader, opts: { limit: number }): Promise<AuditExport> {
  const rows = await db.$queryRaw<ChainRow[]>`
    SELECT * FROM (
      SELECT "id", "at", "actorId", "actorName", "actorRole", "action", "runId", "summary",
             "detail"::text AS "detailText", "prevHash", "hash"
        FROM "audit_event" ORDER BY "id" DESC LIMIT ${opts.limit}) newest
    ORDER BY "id"`;
  const entries = rows.map((r) => {
    const e = toEntry(r);
    return { ...e, detail: JSON.parse(e.detailText) as unknown };
  });
  const newest = entries.at(-1);
  return { chain: { algorithm: AUDIT_CHAIN_ALGORITHM, genesis: GENESIS_HASH, head: newest ? { id: newest.id, hash: newest.hash } : null }, entries };
}

/** The `X-Audit-Chain-Head` header's value: `<id>:<hash>`, or `empty`. */
export function chainHeadHeader(head: AuditExport["chain"]["head"]): string {
  return head ? `${head.id}:${head.hash}` : "empty";
}
