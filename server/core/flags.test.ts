import { describe, expect, it } from "vitest";
import { BUCKETS, murmur3, ZFlagDefinition, bucketOf, evaluateFlag, flagRolloutProblems, inRollout, parseOfrepContext, type FlagState } from "./flags.ts";

const flag = (over: Partial<FlagState> = {}): FlagState => ({
  key: "new-checkout",
  variants: [{ name: "off", value: false }, { name: "on", value: true }],
  defaultVariant: "off",
  rolloutVariant: null,
  rolloutPercent: 0,
  rolloutRunId: null,
  ...over,
});
const users = Array.from({ length: 2000 }, (_, i) => `user-${i}`);

describe("bucketing", () => {
  it("is stable and within 0..9999", () => {
    for (const u of users.slice(0, 50)) {
      const b = bucketOf("new-checkout", u);
      expect(b).toBe(bucketOf("new-checkout", u));
      expect(b).toBeGreaterThanOrEqual(0);
      expect(b).toBeLessThan(BUCKETS);
    }
  });

  it("is MurmurHash3 x86_32 (known vectors)", () => {
    expect(murmur3("")).toBe(0);
    expect(murmur3("hello")).toBe(0x248bfa47);
    expect(murmur3("The quick brown fox jumps over the lazy dog")).toBe(0x2e4ff723);
  });

  it("is monotone: a key in at 5% is in at 50% and 100%", () => {
    const at5 = users.filter((u) => inRollout("new-checkout", u, 5));
    expect(at5.length).toBeGreaterThan(0);
    for (const u of at5) {
      expect(inRollout("new-checkout", u, 50)).toBe(true);
      expect(inRollout("new-checkout", u, 100)).toBe(true);
    }
    expect(users.some((u) => inRollout("new-checkout", u, 0))).toBe(false);
  });

  it("splits close to the percentage", () => {
    const share = users.filter((u) => inRollout("new-checkout", u, 50)).length / users.length;
    expect(share).toBeGreaterThan(0.45);
    expect(share).toBeLessThan(0.55);
  });

  it("puts different users in each flag's 5%", () => {
    const a = users.filter((u) => inRollout("flag-a", u, 5));
    const b = new Set(users.filter((u) => inRollout("flag-b", u, 5)));
    expect(a.filter((u) => b.has(u)).length).toBeLessThan(a.length / 2);
  });
});

describe("OFREP evaluation", () => {
  it("serves the default as STATIC with no rollout", () => {
    const r = evaluateFlag(flag(), "new-checkout", {});
    expect(r).toMatchObject({ ok: true, status: 200, body: { key: "new-checkout", value: false, variant: "off", reason: "STATIC" } });
  });

  it("splits by targeting key during a rollout and says the run and percentage", () => {
    const f = flag({ rolloutVariant: "on", rolloutPercent: 50, rolloutRunId: "run-1" });
    const variants = users.map((u) => {
      const r = evaluateFlag(f, "new-checkout", { targetingKey: u });
      if (!r.ok) throw new Error("expected success");
      expect(r.body.reason).toBe("SPLIT");
      expect(r.body.metadata).toMatchObject({ runId: "run-1", percent: 50 });
      expect(r.body.value).toBe(r.body.variant === "on");
      return r.body.variant;
    });
    expect(new Set(variants)).toEqual(new Set(["on", "off"]));
  });

  it("needs a targeting key to split, not at 0% or 100%", () => {
    expect(evaluateFlag(flag({ rolloutVariant: "on", rolloutPercent: 5 }), "new-checkout", {})).toMatchObject({
      ok: false,
      status: 400,
      body: { errorCode: "TARGETING_KEY_MISSING" },
    });
    expect(evaluateFlag(flag({ rolloutVariant: "on", rolloutPercent: 100 }), "new-checkout", {})).toMatchObject({ body: { variant: "on", value: true, reason: "TARGETING_MATCH" } });
    expect(evaluateFlag(flag({ rolloutVariant: "on", rolloutPercent: 0 }), "new-checkout", {})).toMatchObject({ body: { variant: "off", reason: "DEFAULT" } });
  });

  it("answers FLAG_NOT_FOUND for an unknown flag", () => {
    expect(evaluateFlag(null, "nope", {})).toMatchObject({ ok: false, status: 404, body: { key: "nope", errorCode: "FLAG_NOT_FOUND" } });
  });

  it("rejects a malformed context", () => {
    expect(parseOfrepContext({ context: { targetingKey: 42 } }).ok).toBe(false);
    expect(parseOfrepContext([]).ok).toBe(false);
    expect(parseOfrepContext({ context: { targetingKey: "u1", plan: "pro" } })).toEqual({ ok: true, context: { targetingKey: "u1", plan: "pro" } });
  });
});

describe("definitions and rollouts", () => {
  it("refuses duplicate variants, a default outside them and a bad key", () => {
    const r = ZFlagDefinition.safeParse({ key: "-bad", variants: [{ name: "a", value: 1 }, { name: "a", value: 2 }], defaultVariant: "z" });
    expect(r.success).toBe(false);
    const paths = (r.error?.issues ?? []).map((i) => i.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["key", "variants.1.name", "defaultVariant"]));
  });

  it("refuses an unknown variant, the current default, or a percentage outside 0–100", () => {
    expect(flagRolloutProblems(flag(), "blue")).toEqual({ flagVariant: 'Unknown variant "blue"' });
    expect(flagRolloutProblems(flag(), "off")).toHaveProperty("flagVariant");
    expect(flagRolloutProblems(flag(), "on", 101)).toHaveProperty("percent");
    expect(flagRolloutProblems(flag(), "on", 50)).toEqual({});
    expect(flagRolloutProblems(null, "on")).toHaveProperty("flagKey");
  });
});
