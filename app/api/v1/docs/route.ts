import { buildOpenApiDocument } from "@/server/contracts/openapi";
import { renderApiReference } from "@/server/contracts/openapi-docs";

export const dynamic = "force-static";

/** The API reference, rendered from the OpenAPI document (public, like the document). */
export function GET(): Response {
  return new Response(renderApiReference(buildOpenApiDocument()), {
    headers: {
      "content-type": "text/html; charset=utf-8",
      // Nothing to run and nothing to fetch: styles are inline, there is no script.
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      "cache-control": "public, max-age=300",
    },
  });
}
