import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { runtime } from "./runtime.ts";

// Secrets stored in the database (webhook router and hook secrets) are encrypted with AES-256-GCM
// under a key derived from the session secret, so a database dump alone does not reveal them.
// HKDF with its own `info` keeps this key separate from the one that signs sessions.
const FORMAT = "v1";
const HKDF_SALT = "flightdeck";
const HKDF_INFO = "flightdeck/secrets-at-rest/v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

function keyFrom(masterSecret: string): Buffer {
  if (masterSecret.length === 0) throw new Error("secrets: the session secret is empty");
  return Buffer.from(hkdfSync("sha256", masterSecret, HKDF_SALT, HKDF_INFO, 32));
}

/** Encrypts a secret for storage: `v1:<iv b64>:<tag b64>:<ciphertext b64>`. Default key: the session secret's. */
export function encryptSecret(plaintext: string, masterSecret: string = runtime().authSecret): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", keyFrom(masterSecret), iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [FORMAT, iv.toString("base64"), cipher.getAuthTag().toString("base64"), ciphertext.toString("base64")].join(":");
}

/**
 * Decrypts what `encryptSecret` stored. Throws when the value is malformed, was altered, or was
 * encrypted under another session secret (GCM's tag check); the message never contains the value.
 */
export function decryptSecret(stored: string, masterSecret: string = runtime().authSecret): string {
  const parts = stored.split(":");
  if (parts.length !== 4 || parts[0] !== FORMAT) throw new Error("secrets: not an encrypted secret (expected v1:iv:tag:ciphertext)");
  const [, ivB64, tagB64, dataB64] = parts as [string, string, string, string];
  const iv = Buffer.from(ivB64, "base64");
  const tag = Buffer.from(tagB64, "base64");
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new Error("secrets: malformed encrypted secret");
  const decipher = createDecipheriv("aes-256-gcm", keyFrom(masterSecret), iv);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(Buffer.from(dataB64, "base64")), decipher.final()]).toString("utf8");
  } catch {
    throw new Error("secrets: the encrypted secret was altered or the session secret changed");
  }
}

/** Whether a stored value looks like an encrypted secret (for validating stored config). */
export function isEncryptedSecret(value: string): boolean {
  return /^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]*$/.test(value);
}
