import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cartTotals, checkoutSummary, lineTotal, MAX_QUANTITY } from "../src/cart.mjs";

const reserving = (id) => ({ reserve: async () => ({ id }) });

describe("lineTotal", () => {
  it("multiplies the catalog price by the quantity", () => {
    assert.equal(lineTotal({ sku: "SKU-MUG", quantity: 3 }), 3897);
  });
  it("rejects an unknown SKU", () => {
    assert.throws(() => lineTotal({ sku: "SKU-NOPE", quantity: 1 }), /unknown SKU SKU-NOPE/);
  });
  it("rejects quantities outside 1–MAX_QUANTITY", () => {
    for (const quantity of [0, MAX_QUANTITY + 1, 1.5]) {
      assert.throws(() => lineTotal({ sku: "SKU-TEE", quantity }), RangeError);
    }
  });
});

describe("cartTotals", () => {
  it("is all zeros for an empty cart", () => {
    assert.deepEqual(cartTotals([]), { items: 0, subtotalCents: 0, discountCents: 0, taxCents: 0, totalCents: 0 });
  });
  it("adds tax on the subtotal", () => {
    const t = cartTotals([{ sku: "SKU-TEE", quantity: 2 }], { taxRate: 0.2 });
    assert.deepEqual(t, { items: 2, subtotalCents: 4998, discountCents: 0, taxCents: 1000, totalCents: 5998 });
  });
  it("applies the promo discount before tax", () => {
    const t = cartTotals([{ sku: "SKU-CAP", quantity: 1 }, { sku: "SKU-STICKERS", quantity: 2 }], { taxRate: 0.2, promoCode: "SAVE10" });
    // subtotal 2797, discount 280, tax on 2517 = 503
    assert.equal(t.discountCents, 280);
    assert.equal(t.taxCents, 503, "tax is owed on the discounted amount (2517 × 20 %)");
    assert.equal(t.totalCents, 3020);
  });
  it("rejects an unknown promo code", () => {
    assert.throws(() => cartTotals([{ sku: "SKU-MUG", quantity: 1 }], { promoCode: "FREE" }), /unknown promo code FREE/);
  });
});

describe("checkoutSummary", () => {
  const lines = [{ sku: "SKU-MUG", quantity: 2 }];
  it("reports the line items and regional totals of a cart", async () => {
    const s = await checkoutSummary(lines, { inventory: reserving("res_1"), region: "GB", version: "2.4.0" });
    assert.deepEqual(s, {
      ok: true,
      version: "2.4.0",
      lineItems: [{ sku: "SKU-MUG", quantity: 2, totalCents: 2598 }],
      totalCents: 3118,
      discountCents: 0,
      currency: "GBP",
      reservationId: "res_1",
    });
  });
  it("rejects a region it does not ship to", async () => {
    await assert.rejects(checkoutSummary(lines, { inventory: reserving("res_2"), region: "JP", version: "2.4.0" }), /unsupported region JP/);
  });
});
