-- A tamper-evident audit trail: every audit_event row carries the hash of the row before it
-- (by id) and its own hash over that and its fields, computed here in the database so that
-- every way of appending (Prisma, raw SQL, psql by hand) is chained. Editing a row by hand
-- breaks its hash; deleting one breaks the next row's prevHash; deleting the newest ones is
-- caught against audit_chain_head. The verifier (server/services/audit-chain.ts) re-computes
-- every hash in TypeScript from the stored fields, independently of these functions.

-- One field of the hashed text: its UTF-8 byte length, a colon, the value, a newline; a null is a
-- lone "-" (so "" and null differ, and no value can imitate a field boundary).
CREATE FUNCTION audit_chain_field(v TEXT) RETURNS TEXT
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE WHEN v IS NULL THEN '-' ELSE octet_length(convert_to(v, 'UTF8'))::text || ':' || v END || E'\n' $$;

-- hash = hex SHA-256 of "flightdeck-audit-v1\n" + prevHash + "\n" + id, at (ISO 8601, ms, UTC),
-- actorId, actorName, actorRole, action, runId, summary, detail (PostgreSQL's jsonb text: its
-- one normal form of the stored value, which the verifier reads back with detail::text).
-- Mirrored by chainPayload() in server/core/audit-chain.ts; change both or neither.
CREATE FUNCTION audit_chain_hash(prev TEXT, id BIGINT, at TIMESTAMP(3), actor_id TEXT, actor_name TEXT, actor_role TEXT, action TEXT, run_id TEXT, summary TEXT, detail JSONB) RETURNS TEXT
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT encode(sha256(convert_to(
    'flightdeck-audit-v1' || E'\n' || prev || E'\n'
    || audit_chain_field(id::text)
    || audit_chain_field(to_char(at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
    || audit_chain_field(actor_id) || audit_chain_field(actor_name) || audit_chain_field(actor_role)
    || audit_chain_field(action) || audit_chain_field(run_id) || audit_chain_field(summary)
    || audit_chain_field(detail::text), 'UTF8')), 'hex') $$;

ALTER TABLE "audit_event" ADD COLUMN "prevHash" TEXT NOT NULL DEFAULT '',
                          ADD COLUMN "hash" TEXT NOT NULL DEFAULT '';

-- The end of the chain, one row, written only by the chain trigger (the app role has no rights
-- on it). Appends lock it, which serialises them across transactions until commit. Only row 1
-- is ever read or written (no CHECK (id = 1): Prisma 6.19's wasm schema engine panics introspecting it).
CREATE TABLE "audit_chain_head" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "lastId" BIGINT NOT NULL,
    "lastHash" TEXT NOT NULL,

    CONSTRAINT "audit_chain_head_pkey" PRIMARY KEY ("id")
);

-- Rows written before this migration are chained in id order, as the owner, with the
-- append-only guard lifted for this transaction only.
LOCK TABLE "audit_event" IN EXCLUSIVE MODE;
ALTER TABLE "audit_event" DISABLE TRIGGER audit_event_no_update_delete;
DO $$
DECLARE
  r RECORD;
  prev TEXT := repeat('0', 64);
  last_id BIGINT := 0;
  h TEXT;
BEGIN
  FOR r IN SELECT * FROM "audit_event" ORDER BY "id" LOOP
    h := audit_chain_hash(prev, r."id", r."at", r."actorId", r."actorName", r."actorRole", r."action", r."runId", r."summary", r."detail");
    UPDATE "audit_event" SET "prevHash" = prev, "hash" = h WHERE "id" = r."id";
    prev := h;
    last_id := r."id";
  END LOOP;
  INSERT INTO "audit_chain_head" ("id", "lastId", "lastHash") VALUES (1, last_id, prev);
END $$;
ALTER TABLE "audit_event" ENABLE TRIGGER audit_event_no_update_delete;

-- No two entries may follow the same one: a fork is refused outright.
CREATE UNIQUE INDEX "audit_event_prevHash_key" ON "audit_event"("prevHash");

-- Appends: under the head's row lock (held until commit, so concurrent transactions append one
-- after the other; a REPEATABLE READ transaction that would chain onto a stale head fails with a
-- serialization error instead of forking). The id is re-drawn when a concurrent transaction
-- drew a lower one but appended later, so id order stays chain order. SECURITY DEFINER: the app
-- role may only INSERT into audit_event; any prevHash/hash it sends is replaced.
CREATE FUNCTION audit_event_chain() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
DECLARE
  head RECORD;
BEGIN
  SELECT "lastId", "lastHash" INTO head FROM "audit_chain_head" WHERE "id" = 1 FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'audit chain head is missing: the audit trail cannot be appended to';
  END IF;
  IF NEW."id" <= head."lastId" THEN
    NEW."id" := nextval(pg_get_serial_sequence('audit_event', 'id'));
  END IF;
  NEW."prevHash" := head."lastHash";
  NEW."hash" := audit_chain_hash(NEW."prevHash", NEW."id", NEW."at", NEW."actorId", NEW."actorName", NEW."actorRole", NEW."action", NEW."runId", NEW."summary", NEW."detail");
  UPDATE "audit_chain_head" SET "lastId" = NEW."id", "lastHash" = NEW."hash" WHERE "id" = 1;
  RETURN NEW;
END;
$$;

CREATE TRIGGER audit_event_chain
  BEFORE INSERT ON "audit_event"
  FOR EACH ROW EXECUTE FUNCTION audit_event_chain();
