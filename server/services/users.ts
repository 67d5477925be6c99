import { randomUUID } from "node:crypto";
import { hashPassword } from "better-auth/crypto";
import type { Db } from "../db/client.ts";
import type { Role } from "../core/types.ts";
import { AppError } from "../errors.ts";
import { writeAudit, type AuditActor } from "../db/audit-log.ts";
import type { TCreateUserInput } from "./schemas.ts";

/**
 * Creates a user with an e-mail/password account in Better Auth's tables. The password is
 * hashed with Better Auth's own KDF (scrypt), so its sign-in verifies it.
 */
export async function createUser(db: Db, actor: AuditActor, input: TCreateUserInput): Promise<{ id: string }> {
  const email = input.email.toLowerCase();
  const hash = await hashPassword(input.password);
  return db.$transaction(async (tx) => {
    if (await tx.user.findUnique({ where: { email } })) {
      throw new AppError("CONFLICT", { message: `user ${email} exists`, userMessage: "A user with this e-mail already exists.", fieldErrors: { email: ["Already in use"] } });
    }
    const id = randomUUID();
    await tx.user.create({ data: { id, name: input.name, email, emailVerified: true, role: input.role } });
    await tx.account.create({ data: { id: randomUUID(), accountId: id, providerId: "credential", userId: id, password: hash } });
    await writeAudit(tx, { actor, action: "user.create", summary: `Created user ${email} with role ${input.role}` });
    return { id };
  });
}

export async function listUsers(db: Db): Promise<{ id: string; name: string; email: string; role: Role; createdAt: string }[]> {
  const users = await db.user.findMany({ orderBy: { createdAt: "asc" } });
  return users.map((u) => ({ id: u.id, name: u.name, email: u.email, role: (u.role ?? "viewer") as Role, createdAt: u.createdAt.toISOString() }));
}

/** Changes a user's role; an admin cannot demote themselves (someone must keep admin rights). */
export async function setUserRole(db: Db, actor: AuditActor, userId: string, role: Role): Promise<void> {
  if (actor.id === userId && role !== "admin") {
    throw new AppError("BAD_REQUEST", { message: "self-demotion", userMessage: "You cannot remove your own admin role." });
  }
  await db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: userId } });
    if (!user) throw new AppError("NOT_FOUND", { message: "no such user", userMessage: "That user does not exist." });
    await tx.user.update({ where: { id: userId }, data: { role } });
    await tx.session.deleteMany({ where: { userId } }); // new role applies at next sign-in
    await writeAudit(tx, { actor, action: "user.role", summary: `Changed ${user.email} role ${user.role ?? "viewer"} → ${role}` });
  });
}
