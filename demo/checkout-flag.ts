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

/** How often the storefront asks whether a rollout is under way (see connectCheckoutFlag). */
export const PROBE_MS = 1_000;

/**
 * Connects the OpenFeature server SDK to Flightdeck's OFREP endpoint at `ofrepBaseUrl`. The
 * provider asks per evaluation (no cache). While no run splits the flag's users every user gets
 * the same answer, so the storefront asks once every PROBE_MS for one probe user and gives that
 * answer to all; while a run splits them (reason SPLIT) it asks for each request's user. Without
 * this the demo's traffic would cost Flightdeck one OFREP request per storefront request all the
 * time; with it, a rollout's first second may give its first users the old variant. A Flightdeck
 * that is not up yet (the demo starts before it listens) or down means the SDK's default: the
 * classic checkout.
 */
export function connectCheckoutFlag(ofrepBaseUrl: string, probeMs = PROBE_MS): CheckoutFlag {
  const domain = "storefront";
  // A Flightdeck that hangs must not hang the storefront's requests: the default after 2 s.
  const fetchWithTimeout: typeof fetch = (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(2_000) });
  OpenFeature.setProvider(domain, new OFREPProvider({ baseUrl: ofrepBaseUrl, fetchImplementation: fetchWithTimeout }));
  const client = OpenFeature.getClient(domain);
  const read = async (targetingKey: string): Promise<CheckoutReading & { split: boolean }> => {
    const d = await client.getBooleanDetails(CHECKOUT_FLAG, false, { targetingKey });
    const runId = typeof d.flagMetadata.runId === "string" ? d.flagMetadata.runId : null;
    return { variant: d.variant ?? (d.value ? "on" : "off"), newCheckout: d.value, runId, split: d.reason === "SPLIT" };
  };
  // null until the first probe answers: each user is asked for meanwhile.
  let everyone: (CheckoutReading & { split: boolean }) | null = null;
  const probe = () => {
    void read("storefront-probe").then(
      (r) => (everyone = r),
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
      const r = shared && !shared.split ? shared : await read(targetingKey);
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
