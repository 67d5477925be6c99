import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, inject, it } from "vitest";
import { connectDb, disconnectDb } from "../db/client.ts";
import { AppError } from "../errors.ts";
import { guardSignIn, recordSignIn } from "./sign-in-guard.ts";

const db = connectDb(inject("databaseUrl"));
afterAll(async () => {
  await disconnectDb();
});

const T0 = Date.UTC(2026, 11, 4, 9, 0, 0);

async function refusal(p: Promise<unknown>): Promise<AppError | null> {
  return p.then(
    () => null,
    (e: unknown) => (e instanceof AppError ? e : Promise.reject(e)),
  );
}

async function fail(email: string, address: string, at: number, times = 1): Promise<void> {
  for (let i = 0; i < times; i++) {
    await guardSignIn(db, { email, address }, at + i);
    await recordSignIn(db, { email, address, ok: false }, at + i);
  }
}

describe("sign-in throttling against PostgreSQL", () => {
  it("after five wrong passwords makes the account wait, even for the right one, and says how long", async () => {
    const email = `guess-${randomUUID()}@example.test`;
    await fail(email, "198.51.100.10", T0, 5);
    const refused = await refusal(guardSignIn(db, { email, address: "198.51.100.10" }, T0 + 100));
    expect(refused?.status).toBe(429);
    expect(refused?.userMessage).toMatch(/^Too many failed sign-ins for this account\. Try again in \d+ s\.$/);
    // A new address does not help the guesser: the account itself waits.
    expect((await refusal(guardSignIn(db, { email, address: "203.0.113.99" }, T0 + 100)))?.status).toBe(429);
    // Once the wait is over, the person may try again.
    expect(await refusal(guardSignIn(db, { email, address: "198.51.100.10" }, T0 + 10_000))).toBeNull();
  });

  it("a success resets the account's count", async () => {
    const email = `typo-${randomUUID()}@example.test`;
    await fail(email, "198.51.100.11", T0, 4);
    await recordSignIn(db, { email, address: "198.51.100.11", ok: true }, T0 + 10);
    await fail(email, "198.51.100.11", T0 + 20, 4);
    expect(await refusal(guardSignIn(db, { email, address: "198.51.100.11" }, T0 + 30))).toBeNull();
  });

  it("makes one address trying many accounts wait, while other addresses sign in as usual", async () => {
    const address = `192.0.2.${Math.floor(Math.random() * 200) + 20}-${randomUUID().slice(0, 6)}`;
    for (let i = 0; i < 20; i++) await fail(`spray-${i}-${randomUUID()}@example.test`, address, T0 + i * 10);
    const refused = await refusal(guardSignIn(db, { email: `next-${randomUUID()}@example.test`, address }, T0 + 300));
    expect(refused?.userMessage).toMatch(/^Too many failed sign-ins for this network address\./);
    expect(await refusal(guardSignIn(db, { email: `someone-${randomUUID()}@example.test`, address: "198.51.100.12" }, T0 + 300))).toBeNull();
  });

  it("audits the moment throttling begins, once, not every refused guess", async () => {
    const email = `audited-${randomUUID()}@example.test`;
    await fail(email, "198.51.100.13", T0, 5);
    await recordSignIn(db, { email, address: "198.51.100.13", ok: false }, T0 + 20_000);
    const entries = await db.auditEvent.findMany({ where: { action: "auth.sign_in_throttled", summary: { contains: email } } });
    expect(entries).toHaveLength(1);
    expect(entries[0]?.summary).toMatch(/^Sign-in throttled after repeated failures: account audited-/);
  });
});
