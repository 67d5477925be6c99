import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, inject, it } from "vitest";
import { connectDb, disconnectDb } from "./db/client.ts";
import { toPublicError } from "./errors.ts";
import { createService } from "./services/services-and-environments.ts";
import { makeUser } from "./testing/harness.ts";

// A NUL or an unpaired surrogate in any free-text field reached PostgreSQL and came back as a 500.
// Whatever field it is in, the sender now gets a 400 that says why, and nothing is written.

const db = connectDb(inject("databaseUrl"));
afterAll(() => disconnectDb());

describe("text PostgreSQL cannot store", () => {
  it.each([
    ["a NUL in a description", { description: "fast \u0000 checkout" }],
    ["a NUL in a runbook", { runbook: "1. page on-call\u0000" }],
  ])("%s is a 400 with a reason, and the service is not created", async (_what, text) => {
    const admin = await makeUser(db, "admin");
    const slug = `txt-${randomUUID().slice(0, 8)}`;
    const error = await createService(db, admin, { slug, name: "Text test", description: "", currentVersion: "1.0.0", runbook: "", ...text }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).not.toBeNull();
    expect(toPublicError(error)).toMatchObject({ status: 400, message: expect.stringMatching(/cannot be stored \(a NUL or an unpaired surrogate\)/) });
    expect(await db.service.findUnique({ where: { slug } })).toBeNull();
  });
});
