export const PAYMENT_METHODS = Object.freeze(["card", "paypal", "gift_card"]);
export const CURRENCIES = Object.freeze(["EUR", "USD", "GBP"]);
/** Above this a payment needs a manual review, so checkout refuses it. */
export const MAX_AMOUNT_CENTS = 500_000;

/** The Luhn checksum every card number carries; catches typos before the acquirer does. */
export function luhnValid(cardNumber) {
  const digits = String(cardNumber).replace(/[\s-]/g, "");
  if (!/^\d{12,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** The card number as logs and receipts may show it (PCI DSS: at most the last four digits). */
export function maskCard(cardNumber) {
  const digits = String(cardNumber).replace(/\D/g, "");
  return `•••• ${digits.slice(-4)}`;
}

/** Whether an `MM/YY` expiry is still valid in `now`'s month (cards expire after their last day). */
export function expiryValid(expiry, now) {
  const m = /^(0[1-9]|1[0-2])\/(\d{2})$/.exec(expiry ?? "");
  if (m === null) return false;
  const year = 2000 + Number(m[2]);
  const month = Number(m[1]);
  return year > now.getUTCFullYear() || (year === now.getUTCFullYear() && month >= now.getUTCMonth() + 1);
}

/** Validates a payment request; every problem is listed so the form can show them at once. */
export function validatePayment(payment, now = new Date()) {
  const errors = [];
  if (!PAYMENT_METHODS.includes(payment.method)) errors.push(`method must be one of ${PAYMENT_METHODS.join(", ")}`);
  if (!CURRENCIES.includes(payment.currency)) errors.push(`currency must be one of ${CURRENCIES.join(", ")}`);
  if (!Number.isInteger(payment.amountCents) || payment.amountCents <= 0) errors.push("amountCents must be a positive integer");
  else if (payment.amountCents > MAX_AMOUNT_CENTS) errors.push(`amountCents over ${MAX_AMOUNT_CENTS} needs a manual review`);
  if (payment.method === "card") {
    if (!luhnValid(payment.cardNumber)) errors.push("card number is invalid");
    if (!expiryValid(payment.expiry, now)) errors.push("card has expired or expiry is not MM/YY");
  }
  if (payment.method === "gift_card" && !/^GC-[A-Z0-9]{10}$/.test(payment.giftCardCode ?? "")) errors.push("gift card code must look like GC-XXXXXXXXXX");
  return { valid: errors.length === 0, errors };
}
