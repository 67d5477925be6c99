import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createOrder, findOrder } from "../src/orders.mjs";

/** A stand-in for pg's client: records each query and answers with the given rows. */
function fakeDb(rows) {
  const queries = [];
  return { queries, query: async (text, values) => (queries.push({ text, values }), { rows }) };
}

describe("orders", () => {
  it("creates an order with bound parameters only", async () => {
    const db = fakeDb([{ id: "ord_1", status: "pending" }]);
    const created = await createOrder(db, { id: "ord_1", customerEmail: "a@example.com", paymentMethod: "card", currency: "EUR", totalCents: 2598 });
    assert.deepEqual(created, { id: "ord_1", status: "pending" });
    assert.doesNotMatch(db.queries[0].text, /a@example\.com/);
    assert.deepEqual(db.queries[0].values, ["ord_1", "a@example.com", "card", "EUR", 2598]);
  });
  it("finds an order by id, or null", async () => {
    const found = await findOrder(fakeDb([{ id: "ord_1", status: "paid", total_cents: 2598, currency: "EUR" }]), "ord_1");
    assert.deepEqual(found, { orderId: "ord_1", status: "paid", totalCents: 2598, currency: "EUR" });
    assert.equal(await findOrder(fakeDb([]), "ord_2"), null);
  });
});
