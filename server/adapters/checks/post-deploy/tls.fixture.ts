import { randomBytes } from "node:crypto";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { listenOnLoopback } from "../../../testing/loopback-server.ts";

const run = promisify(execFile);

/** A certificate and its key, PEM. */
export type Pem = { cert: string; key: string };
/** Certificates generated for one test file, in a temporary folder removed by `cleanup`. */
export type TestCertificates = {
  dir: string;
  /** the test CA's certificate file (what `tls.caFile` points at) */
  caFile: string;
  /** signed by the CA for localhost and 127.0.0.1, valid 90 days */
  valid: Pem;
  /** signed by the CA, expired yesterday */
  expired: Pem;
  /** signed by the CA, 20 days left */
  expiringSoon: Pem;
  /** signed by the CA for another host only */
  wrongHost: Pem;
  /** self-signed for localhost, not signed by the CA */
  selfSigned: Pem;
  cleanup: () => Promise<void>;
};

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

async function leaf(dir: string, name: string, san: string, days: number): Promise<Pem> {
  const key = path.join(dir, `${name}.key`);
  const csr = path.join(dir, `${name}.csr`);
  const crt = path.join(dir, `${name}.pem`);
  const ext = path.join(dir, `${name}.ext`);
  await writeFile(ext, `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
  await run("openssl", ["req", ...EC, "-keyout", key, "-out", csr, "-subj", `/CN=${name}`]);
  // OpenSSL 3.0 has no -not_after; `-days -1` gives a certificate that expired a day ago.
  // A random serial, not -CAcreateserial: the certificates are signed in parallel, and a shared
  // serial file written by several openssl processes at once ends up unreadable.
  await run("openssl", ["x509", "-req", "-in", csr, "-CA", path.join(dir, "ca.pem"), "-CAkey", path.join(dir, "ca.key"), "-set_serial", `0x${randomBytes(8).toString("hex")}`, "-out", crt, "-days", String(days), "-extfile", ext]);
  return { cert: await readFile(crt, "utf8"), key: await readFile(key, "utf8") };
}

/** Generates a CA and the leaf certificates the TLS tests need, with the `openssl` command. */
export async function generateCertificates(): Promise<TestCertificates> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "flightdeck-tls-"));
  const caFile = path.join(dir, "ca.pem");
  await run("openssl", ["req", "-x509", ...EC, "-keyout", path.join(dir, "ca.key"), "-out", caFile, "-days", "365", "-subj", "/CN=Flightdeck Test CA"]);
  const [valid, expired, expiringSoon, wrongHost] = await Promise.all([
    leaf(dir, "localhost", "DNS:localhost,IP:127.0.0.1", 90),
    leaf(dir, "expired.localhost", "DNS:localhost,IP:127.0.0.1", -1),
    leaf(dir, "soon.localhost", "DNS:localhost,IP:127.0.0.1", 20),
    leaf(dir, "elsewhere.example.test", "DNS:elsewhere.example.test", 90),
  ]);
  const selfKey = path.join(dir, "self.key");
  const selfCrt = path.join(dir, "self.pem");
  await run("openssl", ["req", "-x509", ...EC, "-keyout", selfKey, "-out", selfCrt, "-days", "90", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]);
  const selfSigned = { cert: await readFile(selfCrt, "utf8"), key: await readFile(selfKey, "utf8") };
  return { dir, caFile, valid, expired, expiringSoon, wrongHost, selfSigned, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** An HTTPS server on 127.0.0.1 presenting `pem`; answers 200 "ok". */
export async function startTlsServer(pem: Pem, options: https.ServerOptions = {}): Promise<{ port: number; close: () => Promise<void> }> {
  const server = https.createServer({ ...pem, ...options }, (_req, res) => res.end("ok"));
  // A probe that closes right after the handshake makes the server log socket errors; they are expected.
  server.on("tlsClientError", () => {});
  const { port, close } = await listenOnLoopback(server);
  return {
    port,
    close,
  };
}
