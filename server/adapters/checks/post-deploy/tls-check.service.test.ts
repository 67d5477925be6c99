import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkContext, closedPort, probed } from "./context.fixture.ts";
import { createPostDeployRunner } from "./post-deploy-runner.ts";
import { generateCertificates, startTlsServer, type Pem, type TestCertificates } from "./tls.fixture.ts";
import { judgedRun } from "../judged.fixture.ts";

const runner = createPostDeployRunner();
let certs: TestCertificates;
const servers: { close: () => Promise<void> }[] = [];

beforeAll(async () => {
  certs = await generateCertificates();
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await certs.cleanup();
});

async function serve(pem: Pem, options: Parameters<typeof startTlsServer>[1] = {}): Promise<number> {
  const server = await startTlsServer(pem, options);
  servers.push(server);
  return server.port;
}
async function checkTls(port: number, more: Record<string, unknown> = {}) {
  const { ctx, logs } = checkContext({ tls: { host: "127.0.0.1", port, servername: "localhost", caFile: certs.caFile, ...more } });
  return { result: probed(await judgedRun(runner, ctx)), logs };
}

describe("TLS certificate", () => {
  it("passes a certificate the CA signed for the host, valid for months, over TLS 1.3", async () => {
    const { result, logs } = await checkTls(await serve(certs.valid));
    expect(result).toMatchObject({ status: "passed", findings: [] });
    expect(logs.join("\n")).toMatch(/TLSv1\.3, CN=localhost, \d+ days to expiry, chain trusted/);
  });

  it("warns (medium) 20 days before expiry and fails (critical) once inside failDays, with the certificate as evidence", async () => {
    const port = await serve(certs.expiringSoon);
    const warned = (await checkTls(port)).result;
    expect(warned.status).toBe("passed");
    expect(warned.findings).toHaveLength(1);
    expect(warned.findings[0]?.severity).toBe("medium");
    expect(warned.findings[0]?.message).toMatch(/expires in (19|20) day\(s\) \(warning at 30\)/);
    expect(warned.findings[0]?.evidence).toMatch(/^subject CN=soon\.localhost; issuer CN=Flightdeck Test CA; valid to \d{4}-\d\d-\d\dT[\d:.]+Z; protocol TLSv1\.3$/);

    const failed = (await checkTls(port, { failDays: 21 })).result;
    expect(failed.status).toBe("failed");
    expect(failed.findings.map((f) => f.severity)).toEqual(["critical"]);
  });

  it("fails an expired certificate as critical, once", async () => {
    const { result } = await checkTls(await serve(certs.expired));
    expect(result.status).toBe("failed");
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({ severity: "critical", message: expect.stringMatching(/expired 1 day\(s\) ago/) });
    expect(result.findings[0]?.evidence).toContain("subject CN=expired.localhost");
  });

  it("fails a certificate for another host as critical", async () => {
    const { result } = await checkTls(await serve(certs.wrongHost));
    expect(result.status).toBe("failed");
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]?.severity).toBe("critical");
    expect(result.findings[0]?.message).toContain("does not cover localhost");
    expect(result.findings[0]?.evidence).toContain("subject CN=elsewhere.example.test");
  });

  it("fails a self-signed certificate the CA does not vouch for, with or without a CA file", async () => {
    const port = await serve(certs.selfSigned);
    for (const caFile of [certs.caFile, undefined]) {
      const { result } = await checkTls(port, { caFile });
      expect(result.status).toBe("failed");
      expect(result.findings).toHaveLength(1);
      expect(result.findings[0]?.severity).toBe("critical");
      expect(result.findings[0]?.message).toMatch(/chain of 127\.0\.0\.1:\d+ \(SNI localhost\) is not trusted: DEPTH_ZERO_SELF_SIGNED_CERT/);
    }
  });

  it("fails (high) a server that offers nothing newer than TLS 1.1", async () => {
    const port = await serve(certs.valid, { maxVersion: "TLSv1.1", minVersion: "TLSv1" });
    const { result } = await checkTls(port);
    expect(result.status).toBe("failed");
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]?.severity).toBe("high");
    expect(result.findings[0]?.message).toContain("does not offer TLS 1.2 or later");
  });

  it("fails (high) when nothing answers on the port", async () => {
    const { result } = await checkTls(await closedPort());
    expect(result.status).toBe("failed");
    expect(result.findings[0]).toMatchObject({ severity: "high", evidence: "error ECONNREFUSED" });
  });

  it("says error, not passed, when the CA file cannot be read", async () => {
    const { result } = await checkTls(await serve(certs.valid), { caFile: `${certs.dir}/missing-ca.pem` });
    expect(result.status).toBe("error");
    expect(result.summary).toContain("CA file cannot be read (ENOENT)");
  });
});
