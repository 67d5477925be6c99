import { describe, expect, it } from "vitest";
import { can, type Permission } from "./permissions.ts";
import { ROLES, type Role } from "./types.ts";

const ALL: Permission[] = [
  "run.create", "run.approve", "run.reject", "run.waive", "run.confirmWeight", "run.pause", "run.resume",
  "run.promote", "run.rollback", "run.abort", "settings.manage", "users.manage",
];

const granted = (role: Role) => ALL.filter((p) => can(role, p));

describe("can", () => {
  it("lets an admin do everything, including settings and users", () => {
    expect(granted("admin")).toEqual(ALL);
  });

  it("lets a release manager run releases end to end but not manage settings or users", () => {
    expect(granted("release_manager")).toEqual(ALL.filter((p) => p.startsWith("run.")));
  });

  it("lets on-call pause, roll back and confirm traffic, never approve, waive or promote", () => {
    expect(granted("on_call")).toEqual(["run.confirmWeight", "run.pause", "run.rollback"]);
    for (const p of ["run.approve", "run.waive", "run.promote", "run.reject", "run.abort", "run.create"] as const) expect(can("on_call", p)).toBe(false);
  });

  it("lets a viewer change nothing", () => {
    expect(granted("viewer")).toEqual([]);
  });

  it("lets anyone who can approve also reject and waive, so a gate is never left undecidable", () => {
    const approvers = ROLES.filter((role) => can(role, "run.approve"));
    expect(approvers).toEqual(["admin", "release_manager"]);
    for (const role of approvers) expect([can(role, "run.reject"), can(role, "run.waive")]).toEqual([true, true]);
  });

  it("lets anyone who can pause also roll back", () => {
    const pausers = ROLES.filter((role) => can(role, "run.pause"));
    expect(pausers).toEqual(["admin", "release_manager", "on_call"]);
    for (const role of pausers) expect(can(role, "run.rollback")).toBe(true);
  });
});
