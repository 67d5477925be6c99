import { fileURLToPath } from "node:url";
import { OpenFeature } from "@openfeature/server-sdk";
import { OFREPProvider } from "@openfeature/ofrep-provider";

// The storefront's feature flag (issue 15): `new-checkout` read through the real OpenFeature
// server SDK with the OFREP provider from Flightdeck's OFREP endpoint, the way any team's service
// would read a flag Flightdeck rolls out. No Flightdeck-specific client.

/** The flag the demo storefront reads; Flightdeck's demo seeds it (server/services/demo.ts). */
export const CHECKOUT_FLAG = "new-checkout";

/** What one user gets from the flag. */
export type CheckoutReading = {
  /** the variant served, e.g. "on"; "off" when the flag could not be read (the SDK's default) */
  variant: string;
  /** whether this user sees the new checkout */
  newCheckout: boolean;
  /** the flag run rolling the flag out (OFREP metadata), when there is one */
  runId: string | null;
};

/** The storefront's side of the flag: server evaluations, the page's web bundle, Flightdeck's OFREP base. */
export type CheckoutFlag = {
  evaluate(targetingKey: string): Promise<CheckoutReading>;
  /** Flightdeck's OFREP base URL for this service and environment (…/api/flags/storefront/staging) */
  ofrepBaseUrl: string;
  /** the page's script: the OpenFeature web SDK with the OFREP web provider (built once, on first request) */
  browserScript(): Promise<string>;
  close(): Promise<void>;
};

const BROWSER_ENTRY = fileURLToPath(new URL("./browser/checkout-flag.ts", import.meta.url));

/** How often the storefront asks whether the flag changed (see connectCheckoutFlag). */
export const PROBE_MS = 1_000;

/** Most users whose answer the storefront keeps (a user's answer changes only with the flag). */
const MAX_USERS = 20_000;

/**
 * Connects the OpenFeature server SDK to Flightdeck's OFREP endpoint at `ofrepBaseUrl`. The
 * provider asks per evaluation (no cache), which would cost Flightdeck one OFREP request per
 * storefront request and make every checkout wait for it. So the storefront asks once every
 * PROBE_MS for one probe user: while no run splits the flag's users every user gets that same
 * answer; while a run splits them (reason SPLIT) each user is asked for once per revision of the
 * flag — the answer for a user changes only when the flag does, and every change bumps the
 * revision the answers carry. A change reaches the storefront within PROBE_MS. A Flightdeck that
 * is not up yet (the demo starts before it listens) or down means the SDK's default: the classic
 * checkout.
 */
export function connectCheckoutFlag(ofrepBaseUrl: string, probeMs = PROBE_MS): CheckoutFlag {
  const domain = "storefront";
  // A Flightdeck that hangs must not hang the storefront's requests: the default after 2 s.
  const fetchWithTimeout: typeof fetch = (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(2_000) });
  OpenFeature.setProvider(domain, new OFREPProvider({ baseUrl: ofrepBaseUrl, fetchImplementation: fetchWithTimeout }));
  const client = OpenFeature.getClient(domain);
  type Answer = CheckoutReading & { split: boolean; revision: number | null };
  const read = async (targetingKey: string): Promise<Answer> => {
    const d = await client.getBooleanDetails(CHECKOUT_FLAG, false, { targetingKey });
    const runId = typeof d.flagMetadata.runId === "string" ? d.flagMetadata.runId : null;
    const revision = typeof d.flagMetadata.revision === "number" ? d.flagMetadata.revision : null;
    return { variant: d.variant ?? (d.value ? "on" : "off"), newCheckout: d.value, runId, split: d.reason === "SPLIT", revision };
  };
  // null until the first probe answers: each user is asked for meanwhile.
  let everyone: Answer | null = null;
  const perUser = new Map<string, Answer>();
  const probe = () => {
    void read("storefront-probe").then(
      (r) => {
        if (r.revision === null || r.revision !== everyone?.revision) perUser.clear();
        everyone = r;
      },
      () => (everyone = null),
    );
  };
  probe();
  const timer = setInterval(probe, probeMs);
  timer.unref();
  let bundle: Promise<string> | null = null;
  return {
    ofrepBaseUrl,
    async evaluate(targetingKey) {
      const shared = everyone;
      let r: Answer | undefined = shared && !shared.split ? shared : perUser.get(targetingKey);
      if (!r) {
        r = await read(targetingKey);
        // Kept only when it is an answer for the revision the probe saw last.
        if (r.revision !== null && r.revision === everyone?.revision) {
          if (perUser.size >= MAX_USERS) perUser.clear();
          perUser.set(targetingKey, r);
        }
      }
      return { variant: r.variant, newCheckout: r.newCheckout, runId: r.runId };
    },
    browserScript() {
      bundle ??= buildBrowserScript().catch((e: unknown) => {
        bundle = null; // try again at the next page view
        throw e;
      });
      return bundle;
    },
    close: async () => {
      clearInterval(timer);
      await OpenFeature.close();
    },
  };
}

/** Bundles demo/browser/checkout-flag.ts with esbuild (what tsx runs on) into one ES module. */
async function buildBrowserScript(): Promise<string> {
  const { build } = await import("esbuild");
  const out = await build({ entryPoints: [BROWSER_ENTRY], bundle: true, format: "esm", platform: "browser", target: "es2022", minify: true, write: false, logLevel: "silent" });
  const file = out.outputFiles[0];
  if (!file) throw new Error("esbuild produced no output for the storefront's flag script");
  return file.text;
}
