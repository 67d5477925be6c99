import { db } from "../db/client.ts";
import { FlagCache } from "../services/flags.ts";
import { ofrepEvaluateAll, ofrepEvaluateOne } from "./ofrep.ts";

/** One flag cache per process, on globalThis so the custom server and Next's bundles share it. */
const store = globalThis as unknown as { __flightdeckFlagCache?: FlagCache };
export function flagCache(): FlagCache {
  store.__flightdeckFlagCache ??= new FlagCache(db());
  return store.__flightdeckFlagCache;
}

type Params<P> = { params: Promise<P> };

export async function ofrepOneRoute(req: Request, ctx: Params<{ service: string; environment: string; key: string }>): Promise<Response> {
  const p = await ctx.params;
  return ofrepEvaluateOne(flagCache(), req, p.service, p.environment, p.key);
}

export async function ofrepAllRoute(req: Request, ctx: Params<{ service: string; environment: string }>): Promise<Response> {
  const p = await ctx.params;
  return ofrepEvaluateAll(flagCache(), req, p.service, p.environment);
}
