import { ofrepAllRoute } from "@/server/http/ofrep-routes";

export const dynamic = "force-dynamic";

/** OFREP bulk evaluation of a service/environment's flags (public read; ETag / If-None-Match). */
export const POST = ofrepAllRoute;
