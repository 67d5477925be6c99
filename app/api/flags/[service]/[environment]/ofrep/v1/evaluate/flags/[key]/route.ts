import { ofrepOneRoute } from "@/server/http/ofrep-routes";

export const dynamic = "force-dynamic";

/** OFREP evaluation of one flag of a service/environment (public read). */
export const POST = ofrepOneRoute;
