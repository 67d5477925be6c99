import { afterEach, describe, expect, it } from "vitest";
import { cli, fakeApi, fakeRun, json, RUN_ID, sse, startStream, TOKEN } from "./testing/fake-api.ts";
import { spawnCli } from "./testing/spawn-cli.ts";

/**
 * The CLI against a scripted API on loopback: what a pipeline sees (output, exit code) and what
 * reaches the server (headers, bodies), including a stream that drops and a stream that never
 * works. The end-to-end test against the real API is in cli/e2e.service.test.ts.
 */

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});
async function server(handler: Parameters<typeof fakeApi>[0]) {
  const api = await fakeApi(handler);
  closers.push(api.close);
  return { ...api, env: { FLIGHTDECK_URL: api.url, FLIGHTDECK_TOKEN: TOKEN } };
}

const CREATE = ["run", "create", "--service", "storefront", "--environment", "staging", "--version", "2.3.1"];
const ROLLOUT = fakeRun({ seq: 5, phase: "rollout", canaryPercent: 50, currentStep: { index: 1, weight: 50, steps: 3, label: "50%" } });

/** A server that creates the run and streams these events on its first stream. */
function scripted(events: string[]) {
  return server((req, res) => {
    if (req.method === "POST" && req.path === "/api/v1/runs") return json(res, 201, fakeRun(), { location: `/api/v1/runs/${RUN_ID}` });
    if (req.path === `/api/v1/runs/${RUN_ID}/events`) {
      startStream(res);
      for (const e of events) res.write(e);
      res.end();
      return;
    }
    json(res, 404, { type: "about:blank", title: "Not found", status: 404, detail: "No such route", code: "NOT_FOUND" });
  });
}

describe("arguments and configuration", () => {
  it("says exactly what to set when the URL or the token is missing or malformed, and sends nothing", async () => {
    const noUrl = await cli(CREATE, { env: {} });
    expect(noUrl.code).toBe(1);
    expect(noUrl.stderr).toContain("Set FLIGHTDECK_URL to the Flightdeck server's address");
    const noToken = await cli(CREATE, { env: { FLIGHTDECK_URL: "http://127.0.0.1:3000" } });
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toContain("Set FLIGHTDECK_TOKEN to an API token (create one with `npx flightdeck admin token create --name ci --role release_manager`");
    const api = await server((_req, res) => json(res, 500, {}));
    const typo = await cli(CREATE, { env: { FLIGHTDECK_URL: api.url, FLIGHTDECK_TOKEN: `${TOKEN}"` } });
    expect(typo.stderr).toContain("FLIGHTDECK_TOKEN is not a Flightdeck API token");
    const badUrl = await cli([...CREATE, "--url", "ftp://x"], { env: { FLIGHTDECK_TOKEN: TOKEN } });
    expect(badUrl.stderr).toContain('--url is not an http:// or https:// address: "ftp://x"');
    expect(api.requests).toHaveLength(0);
  });

  it("names the flags at fault before sending anything: missing, invalid values, links, reasons", async () => {
    const api = await server((_req, res) => json(res, 500, {}));
    const missing = await cli(["run", "create", "--service", "storefront"], { env: api.env });
    expect(missing).toMatchObject({ code: 1, stderr: "flightdeck: run create needs --service, --environment and --version (or --flag key=variant); missing --environment, --version.\n" });
    expect((await cli([...CREATE, "--flag", "new-checkout=on"], { env: api.env })).stderr).toContain("A run releases a version (--version) or a flag's variant (--flag key=variant), not both.");
    expect((await cli(["run", "create", "--service", "storefront", "--environment", "staging", "--flag", "new-checkout"], { env: api.env })).stderr).toContain('--flag takes key=variant, e.g. --flag new-checkout=on; got "new-checkout".');
    const invalid = await cli([...CREATE, "--commit-sha", "not-a-sha", "--commit-time", "yesterday", "--link", "PR=javascript:alert(1)"], { env: api.env });
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain("Nothing was sent; fix these first:");
    expect(invalid.stderr).toContain("--commit-sha: 7 to 40 hexadecimal characters");
    expect(invalid.stderr).toContain("--commit-time: An ISO 8601 date and time");
    expect(invalid.stderr).toContain("--link #1: An http:// or https:// URL");
    expect((await cli([...CREATE, "--link", "no-equals-sign"], { env: api.env })).stderr).toContain("--link takes label=url");
    const env = await cli(["run", "create", "--service", "s", "--environment", "qa", "--version", "1"], { env: api.env });
    expect(env.stderr).toContain("argument 'qa' is invalid. Allowed choices are staging, production.");
    expect((await cli(["run", "rollback", "42"], { env: api.env })).stderr).toContain('run rollback needs --reason "<why>"');
    expect((await cli(["run", "get", "latest"], { env: api.env })).stderr).toContain('"latest" is not a run: give its number (42) or its id');
    expect((await cli(["run", "wait", "42", "--timeout", "soon"], { env: api.env })).stderr).toContain("--timeout takes a duration like 90, 90s, 30m or 2h");
    expect(api.requests).toHaveLength(0);
  });

  it("prints the API's problem details readably (title, detail, each field) and exits 1", async () => {
    const api = await server((_req, res) =>
      json(res, 404, { type: "/api/v1/docs#problem-not-found", title: "Not found", status: 404, code: "NOT_FOUND", detail: 'No service "storefrnt".', errors: { service: ['No service "storefrnt"'] } }),
    );
    const result = await cli(["run", "create", "--service", "storefrnt", "--environment", "staging", "--version", "2.3.1"], { env: api.env });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('flightdeck: Not found (HTTP 404)\n  No service "storefrnt".\n  service: No service "storefrnt"\n');
    const refused = await server((_req, res) => json(res, 409, { type: "x", title: "Conflict with the run's state", status: 409, code: "CONFLICT", detail: "The run is not paused." }));
    const resume = await cli(["run", "resume", "#42"], { env: refused.env });
    expect(resume).toMatchObject({ code: 1, stderr: "flightdeck: Conflict with the run's state (HTTP 409)\n  The run is not paused.\n" });
    expect(refused.requests[0]).toMatchObject({ method: "POST", path: "/api/v1/runs/42/commands", body: '{"kind":"resume"}' });
  });
});

describe("run create: the idempotency key", () => {
  it("derives the key from the GitHub run and attempt, sends it, and retries a 502 with the same key", async () => {
    const api = await server((req, res, n) => (n === 1 ? (res.writeHead(502).end("bad gateway")) : json(res, 200, fakeRun(), { "idempotent-replay": "true" })));
    const env = { ...api.env, GITHUB_RUN_ID: "9001", GITHUB_RUN_ATTEMPT: "2", GITHUB_REPOSITORY: "acme/shop", GITHUB_JOB: "deploy" };
    const result = await cli([...CREATE, "--notes", "# Fixes", "--link", "CI job=https://ci.example/jobs/1?a=b"], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("42\n");
    expect(result.stderr).toContain("retrying with the same Idempotency-Key");
    expect(result.stderr).toContain("Already created for this Idempotency-Key: run #42 storefront 2.3.1 → staging");
    expect(api.requests).toHaveLength(2);
    const keys = api.requests.map((r) => r.headers["idempotency-key"]);
    expect(keys).toEqual(["gh:acme/shop:9001:2:deploy:storefront:staging:2.3.1", "gh:acme/shop:9001:2:deploy:storefront:staging:2.3.1"]);
    expect(api.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(JSON.parse(api.requests[0]?.body ?? "")).toEqual({ service: "storefront", environment: "staging", version: "2.3.1", releaseNotes: "# Fixes", links: [{ label: "CI job", url: "https://ci.example/jobs/1?a=b" }] });
  });

  it("creates a flag run with --flag key=variant (no version): the body says kind flag, the key names the flag", async () => {
    const flagRun = fakeRun({ kind: "flag", flag: { key: "new-checkout", variant: "on", baselineVariant: "off" }, version: "new-checkout → on", baselineVersion: "new-checkout → off" });
    const api = await server((_req, res) => json(res, 201, flagRun));
    const env = { ...api.env, CI_JOB_ID: "77", CI_PROJECT_PATH: "acme/shop" };
    const result = await cli(["run", "create", "--service", "storefront", "--environment", "staging", "--flag", "new-checkout=on"], { env });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("Created: run #42 storefront new-checkout=on → staging");
    expect(JSON.parse(api.requests[0]?.body ?? "")).toEqual({ service: "storefront", environment: "staging", kind: "flag", flag: { key: "new-checkout", variant: "on" } });
    expect(api.requests[0]?.headers["idempotency-key"]).toBe("gl:acme/shop:77:storefront:staging:flag:new-checkout=on");
  });

  it("outside CI sends a random key (each invocation its own); --idempotency-key wins", async () => {
    const api = await server((_req, res) => json(res, 201, fakeRun()));
    await cli(CREATE, { env: api.env });
    await cli(CREATE, { env: api.env });
    await cli([...CREATE, "--idempotency-key", "release-2.3.1"], { env: { ...api.env, GITHUB_RUN_ID: "1" } });
    const [a, b, c] = api.requests.map((r) => r.headers["idempotency-key"]);
    expect(a).toMatch(/^cli-[0-9a-f-]{36}$/);
    expect(b).toMatch(/^cli-[0-9a-f-]{36}$/);
    expect(a).not.toBe(b);
    expect(c).toBe("release-2.3.1");
  });
});

describe("run create --wait: following the run and the exit code", () => {
  const finished = (overrides: Parameters<typeof fakeRun>[0]) => sse("run.finished", fakeRun({ seq: 9, phase: "done", finishedAt: "2026-12-04T16:10:00.000Z", ...overrides }), 9);

  it("released: timestamped lines per change in CI, the analysis verdict, and exit 0", async () => {
    const api = await scripted([
      sse("run.changed", fakeRun({ seq: 2 }), 2),
      sse("run.log", { agent: "qa-test-engineer", line: "14 tests passed" }, 3),
      sse("run.changed", ROLLOUT, 5),
      sse("run.analysis", { stepIndex: 1, at: "x", verdict: "successful", summary: "error rate 0.1% vs 0.1%", evaluations: [] }),
      sse("run.changed", ROLLOUT, 6),
      finished({ status: "succeeded", outcomeReason: "Released 2.3.1; release record written." }),
    ]);
    const result = await cli([...CREATE, "--wait"], { env: { ...api.env, CI: "true" } });
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    for (const line of lines) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /);
    const text = lines.map((l) => l.slice(25));
    // One line per change: the unchanged run.changed (seq 6) prints nothing; logs only with --verbose.
    expect(text).toEqual([
      "#42 storefront 2.3.1 → staging running · pre-deploy checks",
      "#42 storefront 2.3.1 → staging running · rollout · step 2/3 at 50%",
      "analysis (step 2): successful — error rate 0.1% vs 0.1%",
      "#42 storefront 2.3.1 → staging succeeded · done",
      "#42 storefront 2.3.1 → staging: released — Released 2.3.1; release record written.",
      `http://127.0.0.1/runs/${RUN_ID}`,
    ]);
    expect(result.stdout).not.toContain("\x1b[");
  });

  it.each([
    { outcome: "rolled back", run: { status: "rolled_back", outcomeReason: "Rolled back: error rate 4.2% > 1%" }, code: 2 },
    { outcome: "aborted", run: { status: "aborted", outcomeReason: "Aborted by Ana: pipeline cancelled" }, code: 3 },
    { outcome: "rejected", run: { status: "failed", outcomeReason: "Rejected at the approval gate by Ana: not today" }, code: 3 },
    { outcome: "failed", run: { status: "failed", outcomeReason: "Rollback could not revert traffic: router down" }, code: 5 },
  ] as const)("$outcome: exits $code with the outcome and its reason", async ({ outcome, run, code }) => {
    const api = await scripted([sse("run.changed", ROLLOUT, 5), finished(run)]);
    const result = await cli([...CREATE, "--wait"], { env: api.env });
    expect(result.code).toBe(code);
    expect(result.stdout).toContain(`#42 storefront 2.3.1 → staging: ${outcome} — ${run.outcomeReason}`);
  });

  it("--json: one JSON object per event, then the result with the run and the exit code", async () => {
    const api = await scripted([sse("run.changed", ROLLOUT, 5), sse("run.notification", { severity: "critical", message: "Rolling back", at: "x" }), finished({ status: "rolled_back", outcomeReason: "Rolled back: p99" })]);
    const result = await cli([...CREATE, "--wait", "--json"], { env: api.env });
    expect(result.code).toBe(2);
    const lines = result.stdout.trimEnd().split("\n").map((l) => JSON.parse(l) as { event: string; id?: number | null });
    expect(lines.map((l) => l.event)).toEqual(["run.changed", "run.changed", "run.notification", "run.finished", "result"]);
    expect(lines[1]).toMatchObject({ id: 5, data: { currentStep: { index: 1, weight: 50 } } });
    expect(lines.at(-1)).toMatchObject({ event: "result", outcome: "rolled back", exitCode: 2, run: { status: "rolled_back", number: 42 } });
  });

  it("on a terminal: a live display redrawn in place, with the step, the canary bar and the verdict", async () => {
    const api = await scripted([sse("run.changed", ROLLOUT, 5), sse("run.analysis", { stepIndex: 1, at: "x", verdict: "failed", summary: "error rate 4%", evaluations: [] }), finished({ status: "rolled_back", outcomeReason: "Rolled back: error rate" })]);
    const result = await cli([...CREATE, "--wait"], { env: api.env, tty: true });
    expect(result.code).toBe(2);
    expect(result.stdout).toContain("\x1b[1A\x1b[2K");
    expect(result.stdout).toContain("running · rollout · step 2/3 at 50%");
    expect(result.stdout).toContain("canary traffic [##########----------] 50%");
    expect(result.stdout).toContain("analysis (step 2): failed — error rate 4%");
  });

  it("--timeout: stops waiting, says the run goes on, exits 4", async () => {
    const api = await server((req, res) => {
      if (req.method === "POST") return json(res, 201, fakeRun());
      startStream(res);
      res.write(sse("run.changed", ROLLOUT, 5)); // and then nothing, the run holds
    });
    const started = Date.now();
    const result = await cli(["run", "wait", "42", "--timeout", "0.5s"], { env: api.env });
    expect(result.code).toBe(4);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.stdout).toContain("Stopped waiting (--timeout); #42 storefront 2.3.1 → staging goes on: running · rollout · step 2/3 at 50%");
  });
});

describe("following through trouble", () => {
  it("reconnects after a dropped stream with Last-Event-ID and carries on to the end", async () => {
    let streams = 0;
    const api = await server((req, res) => {
      if (req.method === "POST") return json(res, 201, fakeRun());
      streams++;
      startStream(res);
      if (streams === 1) {
        res.write(sse("run.changed", fakeRun({ seq: 3, phase: "build" }), 3));
        // The connection drops mid-run, once the client has what was sent.
        res.write(sse("run.log", { agent: "a", line: "x" }, 4), () => setTimeout(() => res.destroy(), 50));
        return;
      }
      res.write(sse("run.changed", ROLLOUT, 7));
      res.end(sse("run.finished", fakeRun({ seq: 9, status: "succeeded", phase: "done" }), 9));
    });
    const result = await cli([...CREATE, "--wait"], { env: api.env });
    expect(result.code).toBe(0);
    const streamsAsked = api.requests.filter((r) => r.path.endsWith("/events"));
    expect(streamsAsked.map((r) => r.headers["last-event-id"])).toEqual([undefined, "4"]);
    expect(streamsAsked[0]?.headers.accept).toBe("text/event-stream");
    expect(result.stdout).toContain("resuming after event 4");
    expect(result.stdout).toContain("running · build & optimization checks");
    expect(result.stdout).toContain("running · rollout · step 2/3 at 50%");
  });

  it("reads frames split across packets with CRLF line ends, and treats a silent stream (no keep-alive) as dropped", async () => {
    let streams = 0;
    const api = await server(async (req, res) => {
      streams++;
      startStream(res);
      if (streams === 1) {
        res.write(sse("run.changed", ROLLOUT, 5));
        return; // then silence on an open connection: a half-open socket, or a proxy that swallows keep-alives
      }
      const text = (sse("run.notification", { severity: "warning", message: "p99 close to the limit", at: "x" }) + sse("run.finished", fakeRun({ seq: 9, status: "succeeded", phase: "done" }), 9)).replaceAll("\n", "\r\n");
      for (let i = 0; i < text.length; i += 5) {
        res.write(text.slice(i, i + 5));
        await new Promise((r) => setTimeout(r, 1));
      }
      res.end();
    });
    const result = await cli(["run", "wait", "42"], { env: api.env, follow: { idleTimeoutMs: 300 } });
    expect(result.code).toBe(0);
    expect(api.requests.map((r) => r.headers["last-event-id"])).toEqual([undefined, "5"]);
    expect(result.stdout).toContain("The event stream dropped (no data, not even a keep-alive, for too long); resuming after event 5.");
    expect(result.stdout).toContain("warning: p99 close to the limit");
    expect(result.stdout).toContain("#42 storefront 2.3.1 → staging: released");
  });

  it("falls back to polling the run when the stream keeps failing, and still exits by the outcome", async () => {
    let polls = 0;
    const api = await server((req, res) => {
      if (req.path.endsWith("/events")) return res.writeHead(503, { "content-type": "text/html" }).end("<h1>Service Unavailable</h1>");
      polls++;
      json(res, 200, polls < 3 ? ROLLOUT : fakeRun({ seq: 12, status: "rolled_back", phase: "done", outcomeReason: "Rolled back: latency" }));
    });
    const result = await cli(["run", "wait", "42"], { env: api.env });
    expect(result.code).toBe(2);
    expect(api.requests.filter((r) => r.path.endsWith("/events"))).toHaveLength(3);
    expect(result.stdout).toContain("The event stream answered HTTP 503; trying again.");
    expect(result.stdout).toContain("Following the run by asking for it every");
    expect(result.stdout).toContain("#42 storefront 2.3.1 → staging: rolled back — Rolled back: latency");
  });

  it("does not retry what cannot succeed: a revoked token on the stream is an error at once", async () => {
    const api = await server((_req, res) => json(res, 401, { type: "x", title: "Authentication required", status: 401, code: "UNAUTHENTICATED", detail: "Invalid or missing API token" }));
    const result = await cli(["run", "wait", "42"], { env: api.env });
    expect(result).toMatchObject({ code: 1, stderr: "flightdeck: Authentication required (HTTP 401)\n  Invalid or missing API token\n" });
    expect(api.requests).toHaveLength(1);
  });
});

describe("the flightdeck command itself", () => {
  it("metrics push reads the samples from stdin (-) and sends them for the run", async () => {
    const api = await server((_req, res) => json(res, 202, { accepted: 2 }));
    const samples = [
      { type: "request", side: "canary", status: 200, latencyMs: 12 },
      { type: "request", side: "baseline", status: 500, latencyMs: 30 },
    ];
    const result = await spawnCli(["metrics", "push", "--run", RUN_ID, "-"], { env: api.env, stdin: JSON.stringify({ samples }) });
    expect(result).toMatchObject({ code: 0, stdout: `Accepted 2 samples for run ${RUN_ID}.\n` });
    expect(api.requests[0]).toMatchObject({ method: "POST", path: "/api/v1/metrics" });
    expect(JSON.parse(api.requests[0]?.body ?? "")).toEqual({ runId: RUN_ID, samples });
    const notJson = await spawnCli(["metrics", "push", "--run", RUN_ID, "-"], { env: api.env, stdin: "runId=1" });
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toContain("metrics push: stdin is not JSON");
    expect(api.requests).toHaveLength(1);
  });

  it("--help lists the commands, the environment and the exit codes; a rolled-back run exits 2 as a process", async () => {
    const help = await spawnCli(["--help"], { env: {} });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("FLIGHTDECK_TOKEN");
    expect(help.stdout).toMatch(/2 {2}rolled back/);
    expect(help.stdout).toMatch(/4 {2}timed out waiting/);
    const api = await scripted([sse("run.finished", fakeRun({ seq: 9, status: "rolled_back", phase: "done", outcomeReason: "Rolled back: errors" }), 9)]);
    const result = await spawnCli([...CREATE, "--wait"], { env: { ...api.env, CI: "1" } });
    expect(result.code).toBe(2);
    expect(result.stdout).toContain("rolled back — Rolled back: errors");
  });
});

describe("CI output", () => {
  it("prints the analysis when its verdict or step changes, and an unchanged one at most every 30 s", async () => {
    const { plainView } = await import("./progress.ts");
    let t = Date.parse("2026-12-04T10:00:00Z");
    let text = "";
    const view = plainView({ write: (s: string) => ((text += s), true) } as unknown as NodeJS.WritableStream as never, { verbose: false, now: () => new Date(t) });
    const analysis = (verdict: string, n: number, stepIndex = 0) => view.event({ event: "run.analysis", data: { verdict, stepIndex, summary: `needs ${n} more canary requests` } } as never);
    for (let i = 0; i < 20; i++, t += 1_000) analysis("insufficient", 700 - i);
    analysis("healthy", 0);
    t += 31_000;
    analysis("healthy", 0);
    analysis("healthy", 0, 1);
    const lines = text.trim().split("\n");
    expect(lines).toEqual([
      "2026-12-04T10:00:00.000Z analysis (step 1): insufficient — needs 700 more canary requests",
      "2026-12-04T10:00:20.000Z analysis (step 1): healthy — needs 0 more canary requests",
      "2026-12-04T10:00:51.000Z analysis (step 1): healthy — needs 0 more canary requests",
      "2026-12-04T10:00:51.000Z analysis (step 2): healthy — needs 0 more canary requests",
    ]);
  });
});
