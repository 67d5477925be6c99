import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { placeholderSamples, secretSamples } from "./secret-samples.fixture.ts";
import { MAX_FILE_BYTES, MAX_SCANNED_FILES, MAX_SECRETS_PER_FILE, redact } from "./secrets-scan.ts";
import { securityRunner } from "./security-runner.ts";
import { securityContext } from "./security.fixture.ts";
import { judgedRun } from "../judged.fixture.ts";

// Secrets are generated here, in the shapes the real providers issue, so none is ever committed.
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const randomText = (n: number, alphabet = ALNUM) => Array.from(randomBytes(n), (b) => alphabet[b % alphabet.length]).join("");
const githubToken = `ghp_${randomText(36)}`;
const awsSecretKey = randomText(40, `${ALNUM}/+`);
const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
const secrets = [githubToken, awsSecretKey, privateKey];
/** A dump of client secrets: more than one file's findings should list. */
const azureSecrets = Array.from({ length: MAX_SECRETS_PER_FILE + 50 }, () => `${randomText(3)}8Q~${randomText(34)}`);

let root: string;
const workspace = (name: string) => path.join(root, name);

async function write(file: string, content: string | Buffer): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "flightdeck-secrets-"));
  const leaky = workspace("leaky");
  await write(path.join(leaky, "README.md"), "# checkout\n\nRun `npm start`.\n");
  await write(path.join(leaky, "src/github.ts"), `import { Octokit } from "@octokit/rest";\n\nexport const octokit = new Octokit({ auth: "${githubToken}" });\n`);
  await write(path.join(leaky, "deploy/.env.production"), `AWS_REGION=eu-west-1\nAWS_SECRET_ACCESS_KEY="${awsSecretKey}"\n`);
  await write(path.join(leaky, "deploy/keys/signing.pem"), privateKey);

  const clean = workspace("clean");
  await write(path.join(clean, "src/github.ts"), `export const octokit = new Octokit({ auth: process.env.GITHUB_TOKEN });\n`);
  // Where secrets are not looked for: installed packages, Git's object store, binaries, huge files.
  await write(path.join(clean, "node_modules/some-sdk/test/fixture.js"), `const token = "${githubToken}";\n`);
  await write(path.join(clean, ".git/ORIG_HEAD.txt"), `token ${githubToken}\n`);
  await write(path.join(clean, "assets/logo.bin"), Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00]), Buffer.from(githubToken)]));
  await write(path.join(clean, "data/dump.sql"), `-- ${githubToken}\n${"x".repeat(MAX_FILE_BYTES)}`);

  // The whole sample table in one workspace, each sample in its own folder so names cannot collide.
  const table = workspace("table");
  await Promise.all(secretSamples().map((s, i) => write(path.join(table, `secret-${String(i).padStart(2, "0")}`, s.file), s.text)));
  await Promise.all(placeholderSamples.map((p, i) => write(path.join(table, `placeholder-${String(i).padStart(2, "0")}`, p.file), p.text)));

  await write(path.join(workspace("dump"), "secrets.env"), azureSecrets.map((s, i) => `CLIENT_SECRET_${i}=${s}\n`).join(""));

  const many = workspace("many");
  await mkdir(many);
  for (let batch = 0; batch < 11; batch++) {
    await Promise.all(Array.from({ length: 500 }, (_, i) => writeFile(path.join(many, `note-${String(batch * 500 + i).padStart(5, "0")}.txt`), "nothing to see\n")));
  }
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("secrets scan", () => {
  it("finds a GitHub token, an AWS secret key and a private key with file:line:column and rule, never showing them", async () => {
    const ctx = securityContext({ workspace: workspace("leaky") });
    const result = await judgedRun(securityRunner, ctx);
    expect(result.status).toBe("failed");
    const found = result.findings.filter((f) => f.message.startsWith("secret in"));
    expect(found.map((f) => [f.severity, f.message])).toEqual([
      ["high", "secret in deploy/.env.production:2:24: AWS secret access key"],
      ["critical", "secret in deploy/keys/signing.pem:1:1: private key"],
      ["high", "secret in src/github.ts:3:45: github GITHUB_TOKEN"],
    ]);
    expect(found[0]?.evidence).toBe(`rule flightdeck/aws-secret-access-key at deploy/.env.production:2:24: ${awsSecretKey.slice(0, 4)}… [redacted, 40 characters]`);
    expect(found[1]?.evidence).toMatch(/^rule flightdeck\/private-key at deploy\/keys\/signing\.pem:1:1: ----… \[redacted, \d+ characters\]$/);
    expect(found[2]?.evidence).toBe("rule secretlint/github/GITHUB_TOKEN at src/github.ts:3:45: ghp_… [redacted, 40 characters]");
    expect(found[2]?.link).toMatch(/^https:\/\/github\.com\/secretlint\/secretlint\/.*#GITHUB_TOKEN$/);
    expect(ctx.logs).toContain(`scanned 4 file(s) under ${workspace("leaky")}; skipped 0 binary and 0 over 1 MiB; ignored 0 placeholder(s)`);

    // Nothing the release manager sees holds more than the first 4 characters of any secret.
    const everything = JSON.stringify(result) + ctx.logs.join("\n");
    for (const secret of secrets) {
      const body = secret.replace(/-----[A-Z ]+-----/g, "").replace(/\s/g, "");
      expect(everything).not.toContain(body.slice(0, 5));
      expect(everything).not.toContain(body.slice(-12));
    }
  });

  it("passes a clean workspace; node_modules, .git, binaries and files over 1 MiB are not scanned, and the log names each skipped file and why", async () => {
    const ctx = securityContext({ workspace: workspace("clean") });
    const result = await judgedRun(securityRunner, ctx);
    expect(result.status).toBe("passed");
    expect(result.summary).toContain("checked secrets in 1 file(s)");
    expect(ctx.logs).toContain(`scanned 1 file(s) under ${workspace("clean")}; skipped 1 binary and 1 over 1 MiB; ignored 0 placeholder(s)`);
    expect(ctx.logs).toContain("skipped assets/logo.bin: binary (a NUL byte in its first 8000 bytes); not scanned");
    const size = (MAX_FILE_BYTES + githubToken.length + 4).toLocaleString("en-US");
    expect(ctx.logs).toContain(`skipped data/dump.sql: ${size} bytes, over the limit of 1,048,576 bytes (1 MiB) for one file; not scanned`);
    expect(ctx.logs.join("\n")).not.toContain(githubToken.slice(4, 12));
  });

  it("over the whole sample table: every secret is a finding at its file, no placeholder is, and nothing shown holds a secret's middle", async () => {
    const samples = secretSamples();
    const ctx = securityContext({ workspace: workspace("table") });
    const result = await judgedRun(securityRunner, ctx);
    expect(result.status).toBe("failed");
    const found = result.findings.filter((f) => f.message.startsWith("secret in"));
    const folders = new Set(found.map((f) => f.message.slice("secret in ".length).split("/")[0]));
    expect([...folders].sort()).toEqual(samples.map((_, i) => `secret-${String(i).padStart(2, "0")}`));
    expect(ctx.logs).toContainEqual(expect.stringMatching(/^scanned 59 file\(s\) under .*; ignored \d+ placeholder\(s\)$/));
    expect(ctx.logs.some((l) => l.startsWith("ignored a placeholder at placeholder-00/docs/setup.md:1:21 (secretlint/github/GITHUB_TOKEN): one character repeated"))).toBe(true);

    const everything = JSON.stringify(result) + ctx.logs.join("\n");
    for (const sample of samples) for (const probe of sample.probes) expect(everything, sample.name).not.toContain(probe);
  });

  it("lists at most 100 secrets of one file and counts the rest in one finding, so a dump cannot stall the scan", async () => {
    const ctx = securityContext({ workspace: workspace("dump") });
    const result = await judgedRun(securityRunner, ctx);
    const found = result.findings.filter((f) => f.message.startsWith("secret in"));
    expect(found).toHaveLength(MAX_SECRETS_PER_FILE + 1);
    expect(found.at(-1)).toMatchObject({ severity: "high", message: "secret in secrets.env: 50 more not listed" });
    expect(JSON.stringify(result)).not.toContain(azureSecrets.at(-1)?.slice(4, 16));
  });

  it("stops at the file limit, and an incomplete scan fails rather than passing the files it never read", async () => {
    const ctx = securityContext({ workspace: workspace("many") });
    const result = await judgedRun(securityRunner, ctx);
    expect(result.status).toBe("failed");
    expect(result.summary).toContain(`checked secrets in ${MAX_SCANNED_FILES} file(s) (file limit reached)`);
    expect(result.findings).toContainEqual(expect.objectContaining({ severity: "high", message: `secrets scan incomplete: stopped at ${MAX_SCANNED_FILES} files` }));
    expect(ctx.logs.some((l) => l.startsWith(`file limit reached: only the first ${MAX_SCANNED_FILES} files`))).toBe(true);
  });

  it("a missing workspace is an error, not a pass", async () => {
    const result = await judgedRun(securityRunner, securityContext({ workspace: workspace("nowhere") }));
    expect(result.status).toBe("error");
    expect(result.summary).toContain(`workspace folder not found: ${workspace("nowhere")}`);
  });

  it("redacts to at most 4 characters, and to a quarter of short values", () => {
    expect(redact("ghp_abcdefghijklmnopqrstuvwxyz0123456789")).toBe("ghp_… [redacted, 40 characters]");
    expect(redact("hunter2")).toBe("h… [redacted, 7 characters]");
    expect(redact("abc")).toBe("… [redacted, 3 characters]");
  });
});
