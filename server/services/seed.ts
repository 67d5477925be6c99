import type { Db } from "../db/client.ts";
import { DEFAULT_HOLD_SCALE } from "../core/strategy.ts";
import type { Role } from "../core/types.ts";
import { createUser } from "./users.ts";

const SYSTEM = { id: "system", name: "Flightdeck setup", role: "system" };

/** Creates the first admin when there are no users yet. Returns true if it did. */
export async function ensureFirstAdmin(db: Db, email: string, password: string): Promise<boolean> {
  if ((await db.user.count()) > 0) return false;
  await createUser(db, SYSTEM, { name: "Admin", email, role: "admin", password });
  return true;
}

/** Users for a demo or a test: one per role, sharing a password. Skips existing e-mails. */
export async function seedUsers(db: Db, users: { name: string; email: string; role: Role }[], password: string): Promise<void> {
  for (const u of users) {
    if (await db.user.findUnique({ where: { email: u.email } })) continue;
    await createUser(db, SYSTEM, { ...u, password });
  }
}

const DEMO_RUNBOOK = `### Runbook — checkout
1. Watch the run page: error rate and p95 of canary against baseline.
2. If customers report failed payments, press **Roll back** at once; investigate after.
3. Page the payments on-call (#payments-oncall) for any rollback in production.

### Incident response
- Severity 1 when checkout error rate > 1% for 5 minutes.
- Communicate in #incident within 10 minutes; status page within 30.`;

/** The demo service and its environments (idempotent). */
export async function seedDemoService(db: Db): Promise<void> {
  if (await db.service.findUnique({ where: { slug: "checkout" } })) return;
  await db.service.create({
    data: {
      slug: "checkout",
      name: "Checkout",
      description: "Demo payment and order service",
      currentVersion: "1.4.2",
      runbook: DEMO_RUNBOOK,
      environments: {
        create: [
          { name: "staging", holdScale: DEFAULT_HOLD_SCALE.staging },
          { name: "production", holdScale: DEFAULT_HOLD_SCALE.production },
        ],
      },
    },
  });
}
