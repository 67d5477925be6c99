import type { TrafficRouter } from "../../engine/ports.ts";
import type { ObservationSink } from "../../metrics/types.ts";
import type { TRouterConfig } from "../../db/environment-config-schema.ts";
import { decryptSecret } from "../../secrets.ts";
import { BuiltinRouter } from "./builtin/builtin-router.ts";
import { CommandRouter } from "./command/command-router.ts";
import { NginxRouter } from "./nginx/nginx-router.ts";
import { WebhookRouter } from "./webhook/webhook-router.ts";

/** Router settings that need a running router (manual needs none). */
export type RunnableRouterConfig = Exclude<TRouterConfig, { kind: "manual" }>;

/** A router this process started for an environment, and how to stop it. */
export type ManagedRouter = { router: TrafficRouter; stop: () => Promise<void> };

/** What building a router needs from the process. */
export type RouterFactoryDeps = {
  /** receives the built-in router's per-request observations (the metrics aggregator) */
  sink: ObservationSink;
  /** decrypts the stored webhook secret; default: the session secret's key */
  decryptSecret?: (stored: string) => string;
  /** told why a webhook verification counted as "not verified" */
  onVerifyError?: (error: Error) => void;
};

/** Builds and starts the router an environment's settings describe. Throws when it cannot start. */
export async function buildRouter(config: RunnableRouterConfig, deps: RouterFactoryDeps, where: { region?: string } = {}): Promise<ManagedRouter> {
  switch (config.kind) {
    case "builtin": {
      // A region's router tags what it observes with the region, so each region is judged on its own traffic.
      const router = new BuiltinRouter({ listenPort: config.listenPort, upstreams: { baseline: config.baselineUrl, canary: config.canaryUrl }, sink: deps.sink, ...(where.region ? { region: where.region } : {}) });
      await router.start();
      return { router, stop: () => router.stop() };
    }
    case "nginx": {
      // nginx itself starts with the first weight (the router writes its config then).
      const router = new NginxRouter({ prefix: config.prefix, listenPort: config.listenPort, upstreams: { baseline: config.baselineUpstream, canary: config.canaryUpstream } });
      return { router, stop: () => router.stop() };
    }
    case "webhook": {
      const decrypt = deps.decryptSecret ?? decryptSecret;
      const router = new WebhookRouter({ url: config.url, secret: decrypt(config.secret), onVerifyError: deps.onVerifyError });
      return { router, stop: async () => {} };
    }
    case "command": {
      // Nothing runs until the first weight change; the settings were validated when saved.
      const router = new CommandRouter({ command: config.command, timeoutSeconds: config.timeoutSeconds, workingDirectory: config.workingDirectory });
      // Stopping does not wait for a command in flight: one slow kubectl must not hold up every
      // other environment's router restart (the registry restarts them one at a time).
      return { router, stop: async () => {} };
    }
    default: {
      const never: never = config;
      throw new Error(`unknown router kind ${JSON.stringify(never)}`);
    }
  }
}
