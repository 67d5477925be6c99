import { describe, expect, it } from "vitest";
import { groupsFromClaim, parseRoleMap, roleForGroups, ssoRoleFromProfile } from "./oidc-roles.ts";

const map = parseRoleMap("flightdeck-admins=admin, release-managers=release_manager,on-call=on_call");

describe("the single sign-on role map", () => {
  it("parses group=role pairs, ignoring spaces and empty entries", () => {
    expect(map).toEqual([
      { group: "flightdeck-admins", role: "admin" },
      { group: "release-managers", role: "release_manager" },
      { group: "on-call", role: "on_call" },
    ]);
    expect(parseRoleMap("")).toEqual([]);
    expect(parseRoleMap(" a=viewer ,, ")).toEqual([{ group: "a", role: "viewer" }]);
    // a group name may itself contain "=": the last "=" separates the role
    expect(parseRoleMap("team=ops=on_call")).toEqual([{ group: "team=ops", role: "on_call" }]);
  });

  it("refuses an unknown role, a missing side and a group mapped twice, naming the entry", () => {
    expect(() => parseRoleMap("admins=superuser")).toThrow(/"admins=superuser": unknown role "superuser"/);
    expect(() => parseRoleMap("admins")).toThrow(/"admins" is not group=role/);
    expect(() => parseRoleMap("=admin")).toThrow(/not group=role/);
    expect(() => parseRoleMap("a=admin,a=viewer")).toThrow(/group "a" is mapped twice/);
  });
});

describe("the role a user's groups grant", () => {
  it("gives the most powerful mapped role when the user is in several groups", () => {
    expect(roleForGroups(["on-call", "release-managers"], map)).toEqual({
      role: "release_manager",
      groups: ["on-call", "release-managers"],
      matched: ["release-managers", "on-call"],
    });
    expect(roleForGroups(["on-call", "flightdeck-admins", "release-managers"], map).role).toBe("admin");
  });

  it("ignores groups the map does not name: only unknown groups → viewer", () => {
    expect(roleForGroups(["marketing", "everyone"], map)).toEqual({ role: "viewer", groups: ["marketing", "everyone"], matched: [] });
    expect(roleForGroups(["marketing", "on-call"], map).role).toBe("on_call");
    expect(roleForGroups([], map).role).toBe("viewer");
  });

  it("a missing claim, or one that is not a list of names, grants nothing", () => {
    expect(ssoRoleFromProfile({ sub: "1" }, "groups", map).role).toBe("viewer");
    expect(ssoRoleFromProfile({ groups: null }, "groups", map).role).toBe("viewer");
    expect(ssoRoleFromProfile({ groups: 7 }, "groups", map).role).toBe("viewer");
    expect(ssoRoleFromProfile({ groups: { admin: true } }, "groups", map).role).toBe("viewer");
    // non-string members are skipped, the rest still count
    expect(groupsFromClaim([1, "on-call", null, " ", "on-call"])).toEqual(["on-call"]);
  });

  it("accepts one group sent as a string, and reads the configured claim name", () => {
    expect(ssoRoleFromProfile({ groups: "release-managers" }, "groups", map).role).toBe("release_manager");
    expect(ssoRoleFromProfile({ roles: ["flightdeck-admins"], groups: [] }, "roles", map).role).toBe("admin");
    expect(groupsFromClaim("")).toEqual([]);
  });
});
