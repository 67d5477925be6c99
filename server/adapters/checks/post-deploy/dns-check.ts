import { Resolver } from "node:dns/promises";
import type { CheckFinding } from "../../../engine/ports.ts";
import { parseResolver, type TDns } from "./config.ts";
import { errorCode } from "../../report-text.ts";
import type { ProbeIo } from "./probe.ts";

/** Per-attempt timeout of one resolver, in ms; each resolver is tried twice. */
export const DNS_TIMEOUT_MS = 2_000;

/** An answer in comparable form: lower-case names without the root dot; TXT strings joined. */
function normalise(type: TDns["type"], value: string): string {
  return type === "TXT" ? value : value.trim().toLowerCase().replace(/\.$/, "");
}

async function ask(resolver: Resolver, cfg: TDns): Promise<string[]> {
  switch (cfg.type) {
    case "A":
      return resolver.resolve4(cfg.name);
    case "AAAA":
      return resolver.resolve6(cfg.name);
    case "CNAME":
      return resolver.resolveCname(cfg.name);
    case "TXT":
      return (await resolver.resolveTxt(cfg.name)).map((chunks) => chunks.join(""));
    default: {
      const never: never = cfg.type;
      throw new Error(`unsupported record type ${String(never)}`);
    }
  }
}

/**
 * Asks every resolver for the record and compares its sorted answers with the expected ones. A
 * resolver that disagrees or fails is a high finding naming the resolver and what it answered.
 */
export async function checkDns(cfg: TDns, io: ProbeIo): Promise<CheckFinding[]> {
  const expected = [...new Set(cfg.expected.map((v) => normalise(cfg.type, v)))].sort();
  await io.log(`DNS: ${cfg.type} ${cfg.name} on ${cfg.resolvers.length} resolver(s), expecting ${expected.join(", ")}`);
  const findings = await Promise.all(
    cfg.resolvers.map(async (server): Promise<CheckFinding | null> => {
      const parsed = parseResolver(server);
      const resolver = new Resolver({ timeout: DNS_TIMEOUT_MS, tries: 2 });
      if (parsed === null) throw new Error(`invalid resolver ${server}`); // the config schema rejects these
      resolver.setServers([parsed.address.includes(":") ? `[${parsed.address}]:${parsed.port}` : `${parsed.address}:${parsed.port}`]);
      const onAbort = () => resolver.cancel();
      io.signal.addEventListener("abort", onAbort, { once: true });
      try {
        const answers = [...new Set((await ask(resolver, cfg)).map((v) => normalise(cfg.type, v)))].sort();
        await io.log(`DNS: ${server} answered ${answers.join(", ") || "(nothing)"}`);
        if (answers.length === expected.length && answers.every((a, i) => a === expected[i])) return null;
        return {
          severity: "high",
          message: `DNS resolver ${server} disagrees on ${cfg.type} ${cfg.name}`,
          evidence: `resolver ${server} answered [${answers.join(", ")}], expected [${expected.join(", ")}]`,
        };
      } catch (e) {
        if (io.signal.aborted) throw e;
        const code = errorCode(e);
        await io.log(`DNS: ${server} failed (${code})`);
        return {
          severity: "high",
          message: `DNS resolver ${server} gave no answer for ${cfg.type} ${cfg.name}`,
          evidence: `resolver ${server} failed with ${code}, expected [${expected.join(", ")}]`,
        };
      } finally {
        io.signal.removeEventListener("abort", onAbort);
      }
    }),
  );
  return findings.filter((f): f is CheckFinding => f !== null);
}
