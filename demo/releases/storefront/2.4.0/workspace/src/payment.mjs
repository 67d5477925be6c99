export const PAYMENT_METHODS = Object.freeze(["card", "paypal", "wallet"]);
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
  if (payment.method === "wallet") errors.push(...validateWalletToken(payment.walletToken, now));
  return { valid: errors.length === 0, errors };
}

/** Regions where PSD2 strong customer authentication applies above the low-value exemption. */
const SCA_REGIONS = new Set(["DE", "FR"]);
const SCA_EXEMPT_BELOW_CENTS = 3_000;

/** Checks an Apple Pay / Google Pay token as the wallet SDK hands it over. */
export function validateWalletToken(token, now) {
  const errors = [];
  if (token === null || typeof token !== "object") return ["walletToken is required for wallet payments"];
  if (!["apple_pay", "google_pay"].includes(token.provider)) errors.push("walletToken.provider must be apple_pay or google_pay");
  if (typeof token.paymentData !== "string" || token.paymentData.length < 32) errors.push("walletToken.paymentData is missing or truncated");
  const issuedAt = Date.parse(token.issuedAt ?? "");
  if (Number.isNaN(issuedAt)) errors.push("walletToken.issuedAt is not a date");
  else if (now.getTime() - issuedAt > 5 * 60_000) errors.push("walletToken has expired (older than 5 minutes)");
  return errors;
}

/** Whether a payment needs 3-D Secure before it can be captured. */
export function requiresStrongAuth(payment, region) {
  if (!SCA_REGIONS.has(region)) return false;
  if (payment.method === "paypal") return false;
  return payment.amountCents >= SCA_EXEMPT_BELOW_CENTS || payment.recurring === true;
}

/** Authorizes a wallet payment with the gateway, retrying once on a gateway timeout. */
export async function authorizeWallet(gateway, payment, region) {
  const request = {
    amount: payment.amountCents,
    currency: payment.currency,
    token: payment.walletToken.paymentData,
    threeDSecure: requiresStrongAuth(payment, region),
  };
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await gateway.authorize(request);
      if (result.status === "requires_action") return { status: "challenge", redirectUrl: result.nextAction.url };
      if (result.status !== "authorized") return { status: "declined", reason: result.declineCode ?? "unknown" };
      return { status: "authorized", authorizationId: result.id };
    } catch (err) {
      if (attempt >= 2 || err.code !== "ETIMEDOUT") throw err;
    }
  }
}
