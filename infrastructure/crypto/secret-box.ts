import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

/**
 * Secrets at rest: AES-256-GCM under a key derived from SENTINEL_SECRET_KEY, stored as
 * `enc:v1:<iv>:<tag>:<ciphertext>` (base64url). `purpose` separates the keys of different uses (channel secrets,
 * the GitHub App's credentials), so a ciphertext of one cannot be passed off as the other. GCM's tag makes a
 * changed key or a tampered value fail loudly instead of decrypting to garbage.
 */

const PREFIX = "enc:v1:";

export class SecretDecryptionError extends Error {
  override readonly name = "SecretDecryptionError";
}

function keyFrom(secret: string, purpose: string): Buffer {
  // The operator's secret may be any length; SHA-256 gives the 32-byte AES key.
  return createHash("sha256").update(`${purpose}\0${secret}`).digest();
}

export function sealSecret(plaintext: string, secret: string, purpose: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyFrom(secret, purpose), iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return `${PREFIX}${iv.toString("base64url")}:${cipher.getAuthTag().toString("base64url")}:${ciphertext.toString("base64url")}`;
}

export function isSealedSecret(value: unknown): value is string {
  return typeof value === "string" && value.startsWith(PREFIX);
}

/** `what` names the secret in the error ("a channel secret"), which is all an operator sees of it. */
export function openSealedSecret(value: string, secret: string | undefined, purpose: string, what: string): string {
  if (!isSealedSecret(value)) throw new SecretDecryptionError(`${what} is not an encrypted value`);
  if (!secret) throw new SecretDecryptionError(`${what} is encrypted but SENTINEL_SECRET_KEY is not set`);
  const [iv, tag, ciphertext] = value.slice(PREFIX.length).split(":");
  try {
    const decipher = createDecipheriv("aes-256-gcm", keyFrom(secret, purpose), Buffer.from(iv ?? "", "base64url"));
    decipher.setAuthTag(Buffer.from(tag ?? "", "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext ?? "", "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretDecryptionError(`${what} cannot be decrypted with SENTINEL_SECRET_KEY (was the key changed?)`);
  }
}
