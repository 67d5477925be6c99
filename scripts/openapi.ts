import { writeFileSync } from "node:fs";
import { buildOpenApiDocument } from "../server/contracts/openapi.ts";

/**
 * `npm run openapi` prints the API v1's OpenAPI 3.1 document; `npm run openapi -- <file>` writes
 * it there (e.g. server/contracts/openapi.released.json when releasing a new API version).
 */
const text = `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
const file = process.argv[2];
if (file) {
  writeFileSync(file, text);
  console.error(`Wrote the OpenAPI document to ${file}`);
} else {
  process.stdout.write(text);
}
