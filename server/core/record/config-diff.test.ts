import { describe, expect, it } from "vitest";
import { diffConfig } from "./config-diff.ts";

describe("configuration differences", () => {
  it("lists added, removed and changed keys by dotted path, sorted, with secret values redacted", () => {
    const before = { timeouts: { upstreamMs: 2000 }, features: ["a"], cache: { ttlSeconds: 60 }, apiToken: "old-token", gone: true };
    const after = { timeouts: { upstreamMs: 1500 }, features: ["a", "b"], cache: { ttlSeconds: 60 }, apiToken: "new-token", added: { flag: false } };
    expect(diffConfig(before, after)).toEqual([
      { key: "added.flag", kind: "added", after: "false" },
      { key: "apiToken", kind: "changed", before: "[redacted]", after: "[redacted]" },
      { key: "features[1]", kind: "added", after: '"b"' },
      { key: "gone", kind: "removed", before: "true" },
      { key: "timeouts.upstreamMs", kind: "changed", before: "2000", after: "1500" },
    ]);
  });

  it("hides credentials inside URL values whatever the key is called", () => {
    expect(diffConfig({ upstream: "postgres://app:old-pw@db:5432/shop" }, { upstream: "postgres://app:new-pw@db2:5432/shop" })).toEqual([
      { key: "upstream", kind: "changed", before: '"postgres://[redacted]@db:5432/shop"', after: '"postgres://[redacted]@db2:5432/shop"' },
    ]);
  });

  it("finds nothing between equal configurations", () => {
    expect(diffConfig({ a: { b: [1, 2] } }, { a: { b: [1, 2] } })).toEqual([]);
  });
});
