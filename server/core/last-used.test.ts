import { describe, expect, it } from "vitest";
import { parseLastUsed, pickDefaults } from "./last-used";

describe("New run preselects what the person last used", () => {
  it("restores the last service and environment", () => {
    const saved = parseLastUsed(JSON.stringify({ serviceId: "s2", environment: "production" }));
    expect(pickDefaults(saved, ["s1", "s2"], ["staging", "production"])).toEqual({ serviceId: "s2", environment: "production" });
  });
  it("falls back to the first service and environment when nothing or garbage is stored", () => {
    expect(pickDefaults(parseLastUsed(null), ["s1", "s2"], ["staging", "production"])).toEqual({ serviceId: "s1", environment: "staging" });
    expect(pickDefaults(parseLastUsed("{not json"), ["s1"], ["staging"])).toEqual({ serviceId: "s1", environment: "staging" });
  });
  it("ignores a service that no longer exists", () => {
    expect(pickDefaults({ serviceId: "gone", environment: "production" }, ["s1"], ["staging", "production"])).toEqual({ serviceId: "s1", environment: "production" });
  });
});
