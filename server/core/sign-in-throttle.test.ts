import { describe, expect, it } from "vitest";
import { SIGN_IN_LIMITS, waitBeforeNext, waitInWords } from "./sign-in-throttle.ts";

const NOW = 1_800_000_000_000;
const failures = (n: number, everyMs = 1_000) => Array.from({ length: n }, (_, i) => NOW - (n - i) * everyMs);

describe("sign-in throttling", () => {
  it("lets a person mistype their password a few times without waiting", () => {
    expect(waitBeforeNext(failures(4), SIGN_IN_LIMITS.account, NOW)).toBe(0);
  });

  it("then makes every further failure double the wait, up to 15 minutes", () => {
    const last = NOW - 1_000;
    expect(waitBeforeNext(failures(5), SIGN_IN_LIMITS.account, NOW)).toBe(last + 2_000 - NOW);
    expect(waitBeforeNext(failures(8), SIGN_IN_LIMITS.account, NOW)).toBe(last + 16_000 - NOW);
    expect(waitBeforeNext(failures(200, 10), SIGN_IN_LIMITS.account, NOW)).toBe(15 * 60_000 - 10);
  });

  it("forgets failures older than its window", () => {
    expect(waitBeforeNext(failures(30, 60_000), SIGN_IN_LIMITS.account, NOW)).toBeGreaterThan(0);
    expect(waitBeforeNext(failures(30, 60_000).map((t) => t - 20 * 60_000), SIGN_IN_LIMITS.account, NOW)).toBe(0);
  });

  it("allows an office behind one address more tries than one account gets", () => {
    expect(waitBeforeNext(failures(12), SIGN_IN_LIMITS.address, NOW)).toBe(0);
    expect(waitBeforeNext(failures(12), SIGN_IN_LIMITS.account, NOW)).toBeGreaterThan(0);
  });

  it("says the wait in words", () => {
    expect(waitInWords(1_500)).toBe("2 s");
    expect(waitInWords(120_000)).toBe("2 min");
  });
});
