import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ZodError } from "zod";
import type { SessionUser } from "../auth/session.ts";
import { disconnectDb } from "../db/client.ts";
import { makeEngine, makeService, makeUser } from "../testing/harness.ts";
import { scheduleFreeze } from "./change-freezes.ts";
import { gatePreview } from "./gate-preview.ts";

// New run's gate preview against the real PostgreSQL: the same policy the run will be held to.
const h = makeEngine(inject("databaseUrl"));
let admin: SessionUser;
const H = 3_600_000;

beforeAll(async () => {
  admin = await makeUser(h.db, "admin");
});
afterAll(async () => {
  await disconnectDb();
});

describe("gate preview", () => {
  it("under SOX in production asks for one approval from a release manager other than you; staging at low risk needs none", async () => {
    const svc = await makeService(h.db);
    const sox = await gatePreview(h.db, { serviceId: svc.id, environment: "production", risk: "medium", compliance: "sox" });
    expect(sox.approvals).toEqual({ required: 1, separationOfDuties: true, sentence: "1 approval from a release manager other than you" });
    expect(sox.blockingSeverities).toEqual(["critical"]);
    expect(sox.complianceRules).toContain("Separation of duties: the run's creator cannot approve it");
    expect(sox.freeze).toBeNull();
    expect(sox.agents.map((a) => a.phase)).toEqual(["pre_deploy", "build", "post_deploy"]);

    const staging = await gatePreview(h.db, { serviceId: svc.id, environment: "staging", risk: "low", compliance: "none" });
    expect(staging.approvals).toEqual({ required: 0, separationOfDuties: false, sentence: "No approval is required by policy" });

    const critical = await gatePreview(h.db, { serviceId: svc.id, environment: "production", risk: "critical", compliance: "pci" });
    expect(critical.approvals.sentence).toBe("2 approvals from release managers");
    expect(critical.blockingSeverities).toEqual(["critical", "high"]);
    expect(critical.blockingSeverityFrom).toBe("PCI DSS");
  });

  it("follows the environment's own gate policy and says when production is frozen, and staging is not", async () => {
    const svc = await makeService(h.db);
    const prod = svc.environments.find((e) => e.name === "production");
    if (!prod) throw new Error("no production");
    await h.db.environment.update({ where: { id: prod.id }, data: { blockingSeverity: "medium" } });
    const now = Date.now();
    await scheduleFreeze(h.db, admin, { environmentId: prod.id, startsAt: new Date(now - H).toISOString(), endsAt: new Date(now + 2 * H).toISOString(), reason: "End of quarter" });

    const p = await gatePreview(h.db, { serviceId: svc.id, environment: "production", risk: "medium", compliance: "none" }, now);
    expect(p.blockingSeverities).toEqual(["critical", "high", "medium"]);
    expect(p.blockingSeverityFrom).toBe("production's gate policy");
    expect(p.freeze).toMatchObject({ inEffect: true, sentence: expect.stringMatching(/^Production of .* is frozen until .* UTC: “End of quarter”/) });

    const staging = await gatePreview(h.db, { serviceId: svc.id, environment: "staging", risk: "medium", compliance: "none" }, now);
    expect(staging.freeze).toBeNull();
    expect(staging.blockingSeverities).toEqual(["critical"]);
  });

  it("refuses bad input without reading anything further", async () => {
    await expect(gatePreview(h.db, { serviceId: "not-a-uuid", environment: "production", risk: "medium", compliance: "none" })).rejects.toBeInstanceOf(ZodError);
    await expect(gatePreview(h.db, { serviceId: "00000000-0000-4000-8000-000000000000", environment: "moon", risk: "medium", compliance: "none" })).rejects.toBeInstanceOf(ZodError);
  });
});
