import { describe, expect, it } from "vitest";
import { placeholderReason } from "./secret-placeholders.ts";
import { SECRET_RULE_IDS } from "./secret-rules.ts";
import { placeholderSamples, secretSamples } from "./secret-samples.fixture.ts";
import { findSecrets, redactSecrets } from "./secrets-scan.ts";

const samples = secretSamples();

describe("secret rules: the sample table", () => {
  it("holds at least 30 secrets and 15 placeholders, and every Flightdeck rule has a secret and a placeholder twin", () => {
    expect(samples.length).toBeGreaterThanOrEqual(30);
    expect(placeholderSamples.length).toBeGreaterThanOrEqual(15);
    for (const id of SECRET_RULE_IDS) {
      expect(samples.some((s) => s.catalogRule === id), `a secret for ${id}`).toBe(true);
      expect(placeholderSamples.some((p) => p.twinOf === id), `a placeholder for ${id}`).toBe(true);
    }
  });

  it.each(samples)("finds the $name", async (sample) => {
    const { secrets } = await findSecrets(sample.text, sample.file);
    expect(secrets.length).toBeGreaterThan(0);
    for (const s of secrets) expect(sample.rules).toContain(s.ruleId);
  });

  it.each(placeholderSamples)("does not report the $name", async (placeholder) => {
    const { secrets, placeholders } = await findSecrets(placeholder.text, placeholder.file);
    expect(secrets).toEqual([]);
    // The reason a placeholder was dropped is logged: it must not quote the placeholder either.
    for (const p of placeholders) expect(p.reason).not.toMatch(/xxxxxx|ZZZZZZ|RANDOMSTRINGHERE|EXAMPLEKEY|abcd1234/);
  });

  it("finds every secret again when the table is drawn from 20 other seeds (680 more random bodies: no real-looking key is taken for a placeholder)", async () => {
    for (let seed = 100; seed < 120; seed++) {
      for (const sample of secretSamples(seed)) {
        const { secrets, placeholders } = await findSecrets(sample.text, sample.file);
        expect(secrets.length, `${sample.name} (seed ${seed}): ${placeholders.map((p) => p.reason).join(", ")}`).toBeGreaterThan(0);
      }
    }
  }, 120_000);
});

describe("secret rules: placeholders", () => {
  it.each([
    ["all one character", "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "one character repeated"],
    ["a repeating pair", "abababababababababababababababababababab", "one character repeated|repeating pattern"],
    ["an alphabet run", "Zq9ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789x", "alphabet or digit sequence"],
    ["a word", "sk_live_PLACEHOLDER0000aaaaBBBBccccDDDDee", "placeholder word PLACEHOLDER"],
    ["CHANGEME", "qP3vT9xLw2CHANGEMEr7Yb5Nk8Hs4Jd6Fg1Zc0Vm", "placeholder word CHANGEME"],
    ["a template", "${{ secrets.DEPLOY_TOKEN }}", "template or variable reference"],
    ["an angle-bracket hole", "<your-api-key>", "template or variable reference"],
    ["AWS's documented secret", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AWS documented example key"],
    ["low entropy", "aabbccddaabbccddeeffaabbccddeeffaabbccdd", "low entropy|repeating pattern"],
  ])("drops %s", (_, value, reason) => {
    expect(placeholderReason(value, { body: value, alphabet: 62 })).toMatch(new RegExp(`^(${reason.replace(/[$()]/g, "\\$&")})`));
  });

  it("keeps a random key even when it happens to hold a short word inside letters (FAKE only counts between non-letters)", () => {
    const key = "q7PxFAKEr2LmW9vNc4Tz8BhJ5sKd3GyR6fQa1XeU";
    expect(placeholderReason(key, { body: key, alphabet: 62 })).toBeNull();
    expect(placeholderReason("FAKE_TOKEN_q7PxR2LmW9vNc4Tz8BhJ5sKd3GyR6f", { body: "", alphabet: 62 })).toBe("placeholder word FAKE");
  });
});

describe("secret rules: comments and quoting", () => {
  it("a secretlint-disable comment silences a Flightdeck rule the way it silences secretlint's", async () => {
    const azure = samples.find((s) => s.catalogRule === "azure-ad-client-secret");
    expect(azure).toBeDefined();
    const text = `# secretlint-disable-next-line\n${azure?.text.trim().split("\n").at(-1) ?? ""}\n`;
    expect((await findSecrets(text, ".env")).secrets).toEqual([]);
  });

  it("redacts a Flightdeck-found secret that a scanner's report quotes", async () => {
    for (const sample of samples.filter((s) => s.catalogRule === "azure-ad-client-secret" || s.catalogRule === "sendgrid-api-key")) {
      const redacted = await redactSecrets(`scanner said: ${sample.text}`);
      expect(redacted).toContain("[redacted,");
      for (const probe of sample.probes) expect(redacted).not.toContain(probe);
    }
  });
});

describe("secret rules: bounded time", () => {
  const TEN_MB = 10 * 1024 * 1024;
  const fill = (unit: string) => unit.repeat(Math.ceil(TEN_MB / unit.length)).slice(0, TEN_MB);
  // Each text is 10 MB of one rule's marker repeated, the input that makes a backtracking or
  // once-per-match-rescanning pattern blow up (a PEM header every 32 bytes took 53 s before the
  // key reader stopped at the next header). Linear rules take 0.1–2 s here; the limit leaves room
  // for a slower machine, not for quadratic time.
  it.each([
    ["plain prose", "the release was promoted to canary at 50% weight\n"],
    ["AWS key names", "aws_secret_access_key = "],
    ["AWS key ids", "AKIAQ3EGTR7YNM2DWXKP "],
    ["AWS key ids each next to a secret", "AKIAQ3EGTR7YNM2DWXKP 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\n"],
    ["Azure markers", "abc8Q~"],
    ["SendGrid prefixes", "SG.abcdefghij"],
    ["npm auth token keys", "_authToken="],
    ["Slack webhook hosts", "hooks.slack.com/services/T1/"],
    ["PEM headers", "-----BEGIN PRIVATE KEY-----\nMIIE"],
    ["PuTTY headers", "PuTTY-User-Key-File-3: ssh-rsa\n"],
    ["base64 PEM headers", "LS0tLS1CRUdJTi"],
    ["one long base64 run", "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo"],
  ])("scans 10 MB of %s in under 15 s", async (_, unit) => {
    const started = performance.now();
    await findSecrets(fill(unit), "big.txt");
    expect(performance.now() - started).toBeLessThan(15_000);
  }, 60_000);
});
