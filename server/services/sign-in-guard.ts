import type { Db, Tx } from "../db/client.ts";
import { writeAudit, type AuditActor } from "../db/audit-log.ts";
import { SIGN_IN_LIMITS, waitBeforeNext, waitInWords } from "../core/sign-in-throttle.ts";
import { AppError } from "../errors.ts";

/** Who the audit names when it records throttling: nobody is signed in yet. */
const THROTTLE_ACTOR: AuditActor = { id: "system", name: "Sign-in throttle", role: "system" };
/** Attempts older than this are deleted when new ones are written (they can no longer count). */
const KEEP_MS = 24 * 60 * 60_000;

type Attempt = { email: string; address: string };

const accountKey = (email: string) => email.trim().toLowerCase().slice(0, 320);

/** An account's failures count from its last success, or from the window's start if that is later. */
async function accountCountsSince(db: Db | Tx, account: string, now: number): Promise<Date> {
  const lastOk = await db.signInAttempt.findFirst({ where: { account, ok: true }, orderBy: { at: "desc" }, select: { at: true } });
  return new Date(Math.max(now - SIGN_IN_LIMITS.account.windowMs, lastOk ? lastOk.at.getTime() : 0));
}

/**
 * Refuses a sign-in attempt while its account or its client address must wait (429 with the wait
 * in words). Every sign-in path calls it before checking the password, so a wrong guess and a
 * right one are refused alike while throttled: waiting is the only way on.
 */
export async function guardSignIn(db: Db, attempt: Attempt, now = Date.now()): Promise<void> {
  const account = accountKey(attempt.email);
  const since = new Date(now - SIGN_IN_LIMITS.address.windowMs);
  const [accountSince, byAddress] = await Promise.all([
    accountCountsSince(db, account, now),
    db.signInAttempt.findMany({ where: { address: attempt.address, ok: false, at: { gt: since } }, select: { at: true }, orderBy: { at: "desc" }, take: 200 }),
  ]);
  const byAccount = await db.signInAttempt.findMany({ where: { account, ok: false, at: { gt: accountSince } }, select: { at: true }, orderBy: { at: "desc" }, take: 200 });
  const accountWait = waitBeforeNext(byAccount.map((a) => a.at.getTime()), SIGN_IN_LIMITS.account, now);
  const addressWait = waitBeforeNext(byAddress.map((a) => a.at.getTime()), SIGN_IN_LIMITS.address, now);
  const wait = Math.max(accountWait, addressWait);
  if (wait === 0) return;
  const what = accountWait >= addressWait ? "this account" : "this network address";
  throw new AppError("TOO_MANY_REQUESTS", {
    message: `sign-in throttled for ${account} from ${attempt.address}: wait ${wait} ms`,
    userMessage: `Too many failed sign-ins for ${what}. Try again in ${waitInWords(wait)}.`,
  });
}

/**
 * Records an attempt's outcome. A failure that uses up the free tries of its account or address
 * is audited once (the moment throttling begins), not every refused guess after it.
 */
export async function recordSignIn(db: Db, attempt: Attempt & { ok: boolean }, now = Date.now()): Promise<void> {
  const account = accountKey(attempt.email);
  await db.$transaction(async (tx) => {
    await tx.signInAttempt.create({ data: { account, address: attempt.address, ok: attempt.ok, at: new Date(now) } });
    await tx.signInAttempt.deleteMany({ where: { at: { lt: new Date(now - KEEP_MS) } } });
    if (attempt.ok) return;
    const accountSince = await accountCountsSince(tx, account, now);
    const [accountFailures, addressFailures] = await Promise.all([
      tx.signInAttempt.count({ where: { account, ok: false, at: { gt: accountSince } } }),
      tx.signInAttempt.count({ where: { address: attempt.address, ok: false, at: { gt: new Date(now - SIGN_IN_LIMITS.address.windowMs) } } }),
    ]);
    const crossed = [
      ...(accountFailures === SIGN_IN_LIMITS.account.free ? [`account ${account}`] : []),
      ...(addressFailures === SIGN_IN_LIMITS.address.free ? [`address ${attempt.address}`] : []),
    ];
    if (crossed.length === 0) return;
    await writeAudit(tx, {
      actor: THROTTLE_ACTOR,
      action: "auth.sign_in_throttled",
      summary: `Sign-in throttled after repeated failures: ${crossed.join(" and ")}; each further failure doubles the wait`,
      detail: { account, address: attempt.address, accountFailures, addressFailures },
    });
  });
}
