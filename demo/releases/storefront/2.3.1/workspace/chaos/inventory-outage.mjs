// Resilience check: checkout must keep answering, with correct totals, while the inventory
// service it depends on is down or hangs. Exit 0 when every scenario degrades gracefully.
import assert from "node:assert/strict";
import { checkoutSummary } from "../src/cart.mjs";

const DEADLINE_MS = 2_000;
const lines = [{ sku: "SKU-MUG", quantity: 2 }];
const refused = () => Promise.reject(Object.assign(new Error("connect ECONNREFUSED 10.0.3.7:8080"), { code: "ECONNREFUSED" }));
const hangs = () => new Promise(() => {});
const scenarios = [
  { name: "inventory service refuses connections", inventory: { stockFor: refused, reserve: refused } },
  { name: "inventory service never answers", inventory: { stockFor: hangs, reserve: hangs } },
];

let failed = 0;
for (const { name, inventory } of scenarios) {
  const started = Date.now();
  let timer;
  try {
    const deadline = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`checkout gave no answer within ${DEADLINE_MS} ms`)), DEADLINE_MS);
    });
    const summary = await Promise.race([checkoutSummary(lines, { inventory, taxRate: 0.2, region: "FR", version: "chaos" }), deadline]);
    assert.equal(summary.degraded, true, "summary is not marked degraded");
    assert.equal(summary.totalCents, 3118, "totals are wrong while degraded");
    console.log(`PASS ${name}: degraded answer in ${Date.now() - started} ms`);
  } catch (err) {
    failed++;
    console.log(`FAIL ${name}: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    clearTimeout(timer);
  }
}
console.log(`${scenarios.length - failed}/${scenarios.length} scenarios degraded gracefully`);
process.exitCode = failed === 0 ? 0 : 1;
