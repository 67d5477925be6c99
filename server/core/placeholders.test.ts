import { describe, expect, it } from "vitest";
import { expandPlaceholders, releasePlaceholders } from "./placeholders.ts";
import type { RunParams } from "./types.ts";

describe("placeholders in an agent's configuration", () => {
  const values = { targetVersion: "2.3.1", baselineVersion: "2.3.0", service: "storefront", environment: "staging", canaryUrl: "http://127.0.0.1:4102" };

  it("fills every string, nested in objects and arrays, and leaves other values and keys alone", () => {
    const config = {
      workspace: "/srv/releases/{service}/{targetVersion}/workspace",
      openapi: { previous: "/srv/{baselineVersion}/openapi.yaml", current: "/srv/{targetVersion}/openapi.yaml" },
      pages: [{ url: "{canaryUrl}/", name: "home" }],
      "{targetVersion}": "key stays",
      timeoutMs: 5_000,
      enabled: true,
      none: null,
    };
    const out = expandPlaceholders(config, values);
    expect(out).toEqual({
      ok: true,
      value: {
        workspace: "/srv/releases/storefront/2.3.1/workspace",
        openapi: { previous: "/srv/2.3.0/openapi.yaml", current: "/srv/2.3.1/openapi.yaml" },
        pages: [{ url: "http://127.0.0.1:4102/", name: "home" }],
        "{targetVersion}": "key stays",
        timeoutMs: 5_000,
        enabled: true,
        none: null,
      },
    });
  });

  it("names a placeholder that has no value here instead of passing it on", () => {
    expect(expandPlaceholders({ url: "{baselineUrl}/healthz", also: "{canaryUrl}" }, { canaryUrl: "http://127.0.0.1:1" })).toEqual({ ok: false, missing: ["baselineUrl"] });
  });

  it("leaves unknown braces as they are (JSON-ish text, shell snippets)", () => {
    expect(expandPlaceholders({ body: '{"status":"ok"}', shell: "${HOME}" }, values)).toEqual({ ok: true, value: { body: '{"status":"ok"}', shell: "${HOME}" } });
  });
  it("a flag run's checks examine the build in service, which serves both variants, not the labels of its variants", () => {
    const flagRun = { service: "storefront", environment: "staging", targetVersion: "new-checkout → on", baselineVersion: "new-checkout → off", flag: { key: "new-checkout", variant: "on", baselineVariant: "off", serviceVersion: "2.3.0" } } as RunParams;
    expect(releasePlaceholders(flagRun)).toEqual({ targetVersion: "2.3.0", baselineVersion: "2.3.0", service: "storefront", environment: "staging" });
    expect(expandPlaceholders("/srv/releases/{targetVersion}/tests", releasePlaceholders(flagRun))).toEqual({ ok: true, value: "/srv/releases/2.3.0/tests" });
    // A flag run from before the version was recorded keeps its labels (its checks found no release, as they did then).
    const { serviceVersion: _, ...older } = flagRun.flag ?? { key: "", variant: "", baselineVariant: "" };
    expect(releasePlaceholders({ ...flagRun, flag: older }).targetVersion).toBe("new-checkout → on");
  });
});
