// The audit trail's hash chain, re-computed independently of the database that builds it
// (prisma/migrations/20261206120000_audit_chain: audit_chain_hash). Pure: the SHA-256 function
// is passed in, so the same code checks the live table and an exported copy.

/** prevHash of the first entry of the chain. */
export const GENESIS_HASH = "0".repeat(64);

/** Names the hashing scheme in exports, so an auditor knows what to re-compute. */
export const AUDIT_CHAIN_ALGORITHM = "flightdeck-audit-v1: sha256-hex(\"flightdeck-audit-v1\\n\" + prevHash + \"\\n\" + fields), each field <utf8 bytes>:<value>\\n or -\\n for null, in the order id, at, actorId, actorName, actorRole, action, runId, summary, detailText";

/** One audit entry as the chain hashes it. */
export type ChainEntry = {
  /** the entry's id, in decimal */
  id: string;
  /** when, ISO 8601 in UTC with milliseconds (`Date.prototype.toISOString`) */
  at: string;
  actorId: string;
  actorName: string;
  actorRole: string;
  action: string;
  /** the run it concerns, or null */
  runId: string | null;
  summary: string;
  /**
   * the detail as PostgreSQL prints the stored jsonb (`detail::text`): its one normal form
   * (keys sorted by length then bytes, numbers as stored), so re-parsing it in JavaScript —
   * which would turn 1.0 into 1 — is never needed to hash it.
   */
  detailText: string;
};

/** An entry with the hashes the database stored for it. */
export type StoredChainEntry = ChainEntry & {
  /** the previous entry's hash, as stored */
  prevHash: string;
  /** this entry's hash, as stored */
  hash: string;
};

/** Computes the hex SHA-256 of a string's UTF-8 bytes. */
export type Sha256Hex = (text: string) => string;

/** Why the chain is broken at an entry. */
export type ChainBreakReason =
  /** the entry's fields no longer give its hash: it was edited */
  | "hash mismatch"
  /** the entry does not follow the one before it: an entry between them was deleted, or its prevHash edited */
  | "prev mismatch"
  /** the newest entry the chain head names is gone: the latest entries were deleted */
  | "missing";

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

function field(value: string | null): string {
  return value === null ? "-\n" : `${utf8Length(value)}:${value}\n`;
}

/** The exact text whose SHA-256 is an entry's hash (mirrors audit_chain_hash in the migration). */
export function chainPayload(prevHash: string, e: ChainEntry): string {
  return (
    `flightdeck-audit-v1\n${prevHash}\n` +
    field(e.id) +
    field(e.at) +
    field(e.actorId) +
    field(e.actorName) +
    field(e.actorRole) +
    field(e.action) +
    field(e.runId) +
    field(e.summary) +
    field(e.detailText)
  );
}

/** An entry's hash, given the one before it. */
export function entryHash(prevHash: string, e: ChainEntry, sha256: Sha256Hex): string {
  return sha256(chainPayload(prevHash, e));
}

/** Where a check of the chain stands after the entries seen so far. */
export type ChainCheck = {
  /** entries checked */
  entries: number;
  /** the last entry checked, or null before the first */
  last: { id: string; hash: string } | null;
  /** the first broken entry, once found (checking stops there) */
  broken: { entry: StoredChainEntry; reason: Exclude<ChainBreakReason, "missing"> } | null;
};

/** A check that starts at the chain's first entry. */
export function startChainCheck(): ChainCheck {
  return { entries: 0, last: null, broken: null };
}

/**
 * Checks the next entry (by id) against the last one: its prevHash must be the previous entry's
 * stored hash (or GENESIS_HASH for the first), and its fields must give its stored hash. A
 * check that found a break ignores further entries.
 */
export function checkNextEntry(check: ChainCheck, e: StoredChainEntry, sha256: Sha256Hex): ChainCheck {
  if (check.broken) return check;
  const expectedPrev = check.last?.hash ?? GENESIS_HASH;
  if (e.prevHash !== expectedPrev) return { ...check, broken: { entry: e, reason: "prev mismatch" } };
  if (entryHash(e.prevHash, e, sha256) !== e.hash) return { ...check, broken: { entry: e, reason: "hash mismatch" } };
  return { entries: check.entries + 1, last: { id: e.id, hash: e.hash }, broken: null };
}
