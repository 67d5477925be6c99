/**
 * The storefront page's flag reading (issue 15), bundled for the browser by demo/checkout-flag.ts:
 * the OpenFeature web SDK with the OFREP web provider, reaching Flightdeck through the storefront's
 * own /__flags (same origin, so the release's Content-Security-Policy `default-src 'self'` holds).
 * The visitor's id (a cookie the storefront set) is the targeting key, as on the server.
 */
import { OpenFeature, ProviderEvents } from "@openfeature/web-sdk";
import { OFREPWebProvider } from "@openfeature/ofrep-web-provider";

/** How often the page asks again: a rollback reaches an open page within this (README, OFREP). */
const POLL_MS = 2_000;

async function main(): Promise<void> {
  const el = document.querySelector<HTMLElement>("[data-checkout-flag]");
  if (!el) return;
  await OpenFeature.setContext({ targetingKey: el.dataset.user ?? "anonymous" });
  const client = OpenFeature.getClient();
  const render = () => {
    const d = client.getBooleanDetails("new-checkout", false);
    el.dataset.variant = d.variant ?? "";
    el.dataset.source = "web-sdk";
    el.textContent = d.value ? "You see the new one-page checkout (flag new-checkout: on)." : `You see the classic checkout (flag new-checkout: ${d.variant ?? "off"}).`;
  };
  client.addHandler(ProviderEvents.Ready, render);
  client.addHandler(ProviderEvents.ConfigurationChanged, render);
  client.addHandler(ProviderEvents.Error, render);
  await OpenFeature.setProviderAndWait(new OFREPWebProvider({ baseUrl: `${location.origin}/__flags`, pollInterval: POLL_MS }));
  render();
}

void main();
