/** The storefront's catalog: prices in cents, so totals never meet floating-point rounding. */
export const CATALOG = Object.freeze({
  "SKU-MUG": { name: "Mug", priceCents: 1299 },
  "SKU-TEE": { name: "T-shirt", priceCents: 2499 },
  "SKU-CAP": { name: "Cap", priceCents: 1799 },
  "SKU-STICKERS": { name: "Sticker pack", priceCents: 499 },
});

const PROMO_RATES = Object.freeze({ SAVE10: 0.1 });
export const MAX_QUANTITY = 20;
/** How long checkout waits for the inventory service before it answers without stock data. */
export const INVENTORY_TIMEOUT_MS = 800;

/** The price of one cart line; throws a RangeError for an unknown SKU or a quantity out of range. */
export function lineTotal(line) {
  const product = CATALOG[line.sku];
  if (product === undefined) throw new RangeError(`unknown SKU ${line.sku}`);
  if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > MAX_QUANTITY) {
    throw new RangeError(`quantity of ${line.sku} must be 1–${MAX_QUANTITY}, got ${line.quantity}`);
  }
  return product.priceCents * line.quantity;
}

/**
 * Totals of a cart. The promo discount applies before tax (tax is owed on what the customer
 * pays), and each amount rounds half up to the cent once.
 */
export function cartTotals(lines, { taxRate = 0, promoCode } = {}) {
  const subtotalCents = lines.reduce((sum, line) => sum + lineTotal(line), 0);
  const items = lines.reduce((n, line) => n + line.quantity, 0);
  const rate = promoCode === undefined ? 0 : PROMO_RATES[promoCode];
  if (rate === undefined) throw new RangeError(`unknown promo code ${promoCode}`);
  const discountCents = Math.round(subtotalCents * rate);
  const taxCents = Math.round((subtotalCents - discountCents) * taxRate);
  return { items, subtotalCents, discountCents, taxCents, totalCents: subtotalCents - discountCents + taxCents };
}

/**
 * The checkout summary (GET /api/checkout). Stock comes from the inventory service; when it
 * fails or is slow the summary is still served from the totals, marked `degraded`, so customers
 * can pay and stock is checked again at fulfilment.
 */
export async function checkoutSummary(lines, { inventory, taxRate, promoCode, version, inventoryTimeoutMs = INVENTORY_TIMEOUT_MS }) {
  const totals = cartTotals(lines, { taxRate, promoCode });
  let outOfStock = [];
  let degraded = false;
  try {
    const stock = await withTimeout(inventory.stockFor(lines.map((l) => l.sku)), inventoryTimeoutMs);
    outOfStock = lines.filter((l) => (stock[l.sku] ?? 0) < l.quantity).map((l) => l.sku);
  } catch {
    degraded = true;
  }
  return {
    ok: outOfStock.length === 0,
    version,
    items: totals.items,
    totalCents: totals.totalCents,
    outOfStock,
    degraded,
  };
}

function withTimeout(promise, ms) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
