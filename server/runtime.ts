import type { OidcSettings } from "./env.ts";

/**
 * Values resolved when the process starts (the embedded database's URL, the generated session
 * secret), shared between the custom server and Next's bundles through globalThis: Next loads
 * server modules a second time, so a plain module variable would not be seen by server actions.
 */
export type Runtime = {
  databaseUrl: string;
  authSecret: string;
  publicUrl: string;
  /** sign-in rate limits relaxed for end-to-end tests */
  testMode: boolean;
  /** single sign-on (OpenID Connect); absent or null: local accounts only */
  oidc?: OidcSettings | null;
};

const store = globalThis as unknown as { __flightdeckRuntime?: Runtime };

export function setRuntime(runtime: Runtime): void {
  store.__flightdeckRuntime = runtime;
}

export function runtime(): Runtime {
  if (!store.__flightdeckRuntime) throw new Error("Flightdeck runtime not initialised: start it with `npm start`");
  return store.__flightdeckRuntime;
}
