import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cartTotals, checkoutSummary, lineTotal, MAX_QUANTITY } from "../src/cart.mjs";

const inventoryWith = (stock) => ({ stockFor: async () => stock });

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
  it("reports the totals and stock of a cart", async () => {
    const s = await checkoutSummary(lines, { inventory: inventoryWith({ "SKU-MUG": 5 }), taxRate: 0.2, version: "2.3.1" });
    assert.deepEqual(s, { ok: true, version: "2.3.1", items: 2, totalCents: 3118, discountCents: 0, currency: "EUR", outOfStock: [], degraded: false });
  });
  it("lists lines the warehouse cannot fill", async () => {
    const s = await checkoutSummary(lines, { inventory: inventoryWith({ "SKU-MUG": 1 }), taxRate: 0, version: "2.3.1" });
    assert.equal(s.ok, false);
    assert.deepEqual(s.outOfStock, ["SKU-MUG"]);
  });
  it("still answers, degraded, when the inventory service fails", async () => {
    const inventory = { stockFor: async () => Promise.reject(new Error("ECONNREFUSED")) };
    const s = await checkoutSummary(lines, { inventory, taxRate: 0, version: "2.3.1" });
    assert.equal(s.degraded, true);
    assert.equal(s.totalCents, 2598);
  });
  it("stops waiting for a slow inventory service at its timeout", async () => {
    const inventory = { stockFor: () => new Promise(() => {}) };
    const s = await checkoutSummary(lines, { inventory, taxRate: 0, version: "2.3.1", inventoryTimeoutMs: 20 });
    assert.equal(s.degraded, true);
  });
});
