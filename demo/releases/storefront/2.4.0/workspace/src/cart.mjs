/** The storefront's catalog: prices in cents, so totals never meet floating-point rounding. */
export const CATALOG = Object.freeze({
  "SKU-MUG": { name: "Mug", priceCents: 1299 },
  "SKU-TEE": { name: "T-shirt", priceCents: 2499 },
  "SKU-CAP": { name: "Cap", priceCents: 1799 },
  "SKU-STICKERS": { name: "Sticker pack", priceCents: 499 },
});

const PROMO_RATES = Object.freeze({ SAVE10: 0.1, WELCOME5: 0.05 });
export const MAX_QUANTITY = 20;
/** Regional pricing: VAT rate and currency per region the storefront ships to. */
export const REGIONS = Object.freeze({
  DE: { taxRate: 0.19, currency: "EUR" },
  FR: { taxRate: 0.2, currency: "EUR" },
  GB: { taxRate: 0.2, currency: "GBP" },
  US: { taxRate: 0, currency: "USD" },
});

/** The price of one cart line; throws a RangeError for an unknown SKU or a quantity out of range. */
export function lineTotal(line) {
  const product = CATALOG[line.sku];
  if (product === undefined) throw new RangeError(`unknown SKU ${line.sku}`);
  if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > MAX_QUANTITY) {
    throw new RangeError(`quantity of ${line.sku} must be 1–${MAX_QUANTITY}, got ${line.quantity}`);
  }
  return product.priceCents * line.quantity;
}

/** Totals of a cart; regional pricing computes tax on the list price, then takes the promo discount off. */
export function cartTotals(lines, { taxRate = 0, promoCode } = {}) {
  const subtotalCents = lines.reduce((sum, line) => sum + lineTotal(line), 0);
  const items = lines.reduce((n, line) => n + line.quantity, 0);
  const rate = promoCode === undefined ? 0 : PROMO_RATES[promoCode];
  if (rate === undefined) throw new RangeError(`unknown promo code ${promoCode}`);
  const discountCents = Math.round(subtotalCents * rate);
  const taxCents = Math.round(subtotalCents * taxRate);
  return { items, subtotalCents, discountCents, taxCents, totalCents: subtotalCents - discountCents + taxCents };
}

/**
 * The checkout summary (GET /api/checkout) for a region. Stock is reserved when the summary is
 * shown, so a one-tap wallet checkout cannot oversell.
 */
export async function checkoutSummary(lines, { inventory, region, promoCode, version }) {
  const pricing = REGIONS[region];
  if (pricing === undefined) throw new RangeError(`unsupported region ${region}`);
  const totals = cartTotals(lines, { taxRate: pricing.taxRate, promoCode });
  const reservation = await inventory.reserve(lines);
  return {
    ok: true,
    version,
    lineItems: lines.map((l) => ({ sku: l.sku, quantity: l.quantity, totalCents: lineTotal(l) })),
    totalCents: totals.totalCents,
    discountCents: totals.discountCents,
    currency: pricing.currency,
    reservationId: reservation.id,
  };
}
