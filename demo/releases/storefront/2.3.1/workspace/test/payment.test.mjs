import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { expiryValid, luhnValid, maskCard, MAX_AMOUNT_CENTS, validatePayment } from "../src/payment.mjs";

const NOW = new Date("2025-06-15T12:00:00Z");
const card = { method: "card", currency: "EUR", amountCents: 2598, cardNumber: "4242 4242 4242 4242", expiry: "12/27" };

describe("luhnValid", () => {
  it("accepts a valid test card number with spaces or dashes", () => {
    assert.equal(luhnValid("4242 4242 4242 4242"), true);
    assert.equal(luhnValid("5555-5555-5555-4444"), true);
  });
  it("rejects a typo and non-digits", () => {
    assert.equal(luhnValid("4242 4242 4242 4241"), false);
    assert.equal(luhnValid("4242-abcd"), false);
  });
});

describe("maskCard", () => {
  it("keeps only the last four digits", () => {
    assert.equal(maskCard("4242 4242 4242 4242"), "•••• 4242");
  });
});

describe("expiryValid", () => {
  it("accepts the current month and later", () => {
    assert.equal(expiryValid("06/25", NOW), true);
    assert.equal(expiryValid("01/26", NOW), true);
  });
  it("rejects past months and malformed values", () => {
    assert.equal(expiryValid("05/25", NOW), false);
    assert.equal(expiryValid("13/26", NOW), false);
    assert.equal(expiryValid(undefined, NOW), false);
  });
});

describe("validatePayment", () => {
  it("accepts a valid card payment", () => {
    assert.deepEqual(validatePayment(card, NOW), { valid: true, errors: [] });
  });
  it("lists every problem of an invalid card payment", () => {
    const r = validatePayment({ ...card, currency: "JPY", cardNumber: "1234", expiry: "01/20" }, NOW);
    assert.equal(r.valid, false);
    assert.deepEqual(r.errors, ["currency must be one of EUR, USD, GBP", "card number is invalid", "card has expired or expiry is not MM/YY"]);
  });
  it("rejects amounts that are not positive integers or need a review", () => {
    assert.match(validatePayment({ ...card, amountCents: 0 }, NOW).errors[0], /positive integer/);
    assert.match(validatePayment({ ...card, amountCents: MAX_AMOUNT_CENTS + 1 }, NOW).errors[0], /manual review/);
  });
  it("rejects an unknown method", () => {
    assert.match(validatePayment({ ...card, method: "cash" }, NOW).errors[0], /method must be one of/);
  });
  it("checks the gift card code format", () => {
    const gift = { method: "gift_card", currency: "GBP", amountCents: 1000 };
    assert.equal(validatePayment({ ...gift, giftCardCode: "GC-AB12CD34EF" }, NOW).valid, true);
    assert.equal(validatePayment({ ...gift, giftCardCode: "gc-1" }, NOW).valid, false);
  });
  it("needs no card details for PayPal", () => {
    assert.equal(validatePayment({ method: "paypal", currency: "USD", amountCents: 1999 }, NOW).valid, true);
  });
});
