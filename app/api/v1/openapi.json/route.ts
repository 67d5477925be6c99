import { buildOpenApiDocument } from "@/server/contracts/openapi";

export const dynamic = "force-static";

/** The API v1's OpenAPI 3.1 document (public: it describes the API, it grants nothing). */
export function GET(): Response {
  return new Response(JSON.stringify(buildOpenApiDocument(), null, 2), { headers: { "content-type": "application/json", "cache-control": "public, max-age=300" } });
}
