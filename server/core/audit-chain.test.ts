import { describe, expect, it } from "vitest";
import { type ChainEntry, GENESIS_HASH, type StoredChainEntry, chainPayload, checkNextEntry, entryHash, startChainCheck } from "./audit-chain.ts";

/**
 * A stand-in for SHA-256 (the core takes its hash function as an argument; the real one is
 * checked against PostgreSQL's in the service test): 64-bit FNV-1a over the UTF-8 bytes, in hex.
 */
function sha256(text: string): string {
  let h = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(text)) h = ((h ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return h.toString(16).padStart(16, "0");
}

const base: ChainEntry = {
  id: "1",
  at: "2026-12-04T16:15:24.123Z",
  actorId: "u1",
  actorName: "Ada",
  actorRole: "admin",
  action: "run.approve",
  runId: null,
  summary: "approved",
  detailText: "{}",
};

/** A correctly chained trail of n entries. */
function chain(n: number): StoredChainEntry[] {
  const out: StoredChainEntry[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const e = { ...base, id: String(i), summary: `entry ${i}` };
    const hash = entryHash(prev, e, sha256);
    out.push({ ...e, prevHash: prev, hash });
    prev = hash;
  }
  return out;
}

function check(entries: StoredChainEntry[]) {
  return entries.reduce((c, e) => checkNextEntry(c, e, sha256), startChainCheck());
}

describe("audit chain payload", () => {
  it("frames every field by its UTF-8 byte length, and null apart from the empty string", () => {
    expect(chainPayload(GENESIS_HASH, { ...base, summary: "é✓😀", runId: null })).toBe(
      `flightdeck-audit-v1\n${GENESIS_HASH}\n1:1\n24:2026-12-04T16:15:24.123Z\n2:u1\n3:Ada\n5:admin\n11:run.approve\n-\n9:é✓😀\n2:{}\n`,
    );
    expect(entryHash(GENESIS_HASH, { ...base, runId: null }, sha256)).not.toBe(entryHash(GENESIS_HASH, { ...base, runId: "" }, sha256));
  });

  it("cannot be imitated by moving text from one field to the next (a newline or a colon in a value included)", () => {
    const a = { ...base, actorName: "Ada\n5:admin", actorRole: "x" };
    const b = { ...base, actorName: "Ada", actorRole: "admin\n1:x" };
    expect(chainPayload(GENESIS_HASH, a)).not.toBe(chainPayload(GENESIS_HASH, b));
    expect(chainPayload(GENESIS_HASH, { ...base, summary: "ab", detailText: "c" })).not.toBe(chainPayload(GENESIS_HASH, { ...base, summary: "a", detailText: "bc" }));
  });

  it("depends on the previous hash and on every field", () => {
    const h = entryHash(GENESIS_HASH, base, sha256);
    expect(entryHash("1".repeat(64), base, sha256)).not.toBe(h);
    for (const key of Object.keys(base) as (keyof ChainEntry)[]) {
      expect(entryHash(GENESIS_HASH, { ...base, [key]: `${base[key] ?? ""}x` }, sha256), key).not.toBe(h);
    }
  });
});

describe("checking the chain", () => {
  it("accepts an intact chain and names its head", () => {
    const entries = chain(5);
    expect(check(entries)).toEqual({ entries: 5, last: { id: "5", hash: entries[4]?.hash }, broken: null });
  });

  it("names an edited entry (hash mismatch) and stops there", () => {
    const entries = chain(5).map((e) => (e.id === "3" ? { ...e, summary: "rewritten" } : e));
    const c = check(entries);
    expect(c.broken?.entry.id).toBe("3");
    expect(c.broken?.reason).toBe("hash mismatch");
    expect(c.entries).toBe(2);
  });

  it("names the entry after a deleted one (prev mismatch)", () => {
    const c = check(chain(5).filter((e) => e.id !== "3"));
    expect(c.broken).toMatchObject({ entry: { id: "4" }, reason: "prev mismatch" });
  });

  it("catches an edited entry whose hash was re-computed too, at the entry after it", () => {
    const entries = chain(4);
    const edited = { ...entries[1], summary: "rewritten" } as StoredChainEntry;
    entries[1] = { ...edited, hash: entryHash(edited.prevHash, edited, sha256) };
    expect(check(entries).broken).toMatchObject({ entry: { id: "3" }, reason: "prev mismatch" });
  });

  it("catches a deleted first entry: the new first one does not start from the genesis hash", () => {
    expect(check(chain(3).slice(1)).broken).toMatchObject({ entry: { id: "2" }, reason: "prev mismatch" });
  });

  it("accepts an empty trail", () => {
    expect(check([])).toEqual({ entries: 0, last: null, broken: null });
  });
});
