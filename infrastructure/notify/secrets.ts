import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

/**
 * Channel secrets at rest (PagerDuty routing keys, Slack webhook URLs): AES-256-GCM under a key derived from
 * SENTINEL_SECRET_KEY, stored as `enc:v1:<iv>:<tag>:<ciphertext>` (base64url) inside the channel's config. A value
 * without the prefix is read as plaintext (channels saved before a key was configured keep working).
 */

const PREFIX = "enc:v1:";

/** Which config fields of each channel kind are secrets. */
export const SECRET_FIELDS: Record<"slack" | "email" | "pagerduty", readonly string[]> = {
  slack: ["webhookUrl"],
  email: [],
  pagerduty: ["routingKey"],
};

export class SecretDecryptionError extends Error {
  override readonly name = "SecretDecryptionError";
}

function keyFrom(secret: string): Buffer {
  // The operator's secret may be any length; SHA-256 gives the 32-byte AES key.
  return createHash("sha256").update(`sentinel-channel-secrets\0${secret}`).digest();
}

export function encryptSecret(plaintext: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyFrom(secret), iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return `${PREFIX}${iv.toString("base64url")}:${cipher.getAuthTag().toString("base64url")}:${ciphertext.toString("base64url")}`;
}

export function isEncrypted(value: unknown): value is string {
  return typeof value === "string" && value.startsWith(PREFIX);
}

export function decryptSecret(value: string, secret: string | undefined): string {
  if (!isEncrypted(value)) return value;
  if (!secret) throw new SecretDecryptionError("a channel secret is encrypted but SENTINEL_SECRET_KEY is not set");
  const [iv, tag, ciphertext] = value.slice(PREFIX.length).split(":");
  try {
    const decipher = createDecipheriv("aes-256-gcm", keyFrom(secret), Buffer.from(iv ?? "", "base64url"));
    decipher.setAuthTag(Buffer.from(tag ?? "", "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext ?? "", "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretDecryptionError("a channel secret cannot be decrypted with SENTINEL_SECRET_KEY (was the key changed?)");
  }
}

/** For the settings page's save: encrypts the kind's secret fields (when a key is configured). */
export function sealChannelConfig(kind: keyof typeof SECRET_FIELDS, config: Record<string, unknown>, secret: string | undefined): Record<string, unknown> {
  if (!secret) return config;
  const sealed = { ...config };
  for (const field of SECRET_FIELDS[kind]) {
    const value = sealed[field];
    if (typeof value === "string" && !isEncrypted(value)) sealed[field] = encryptSecret(value, secret);
  }
  return sealed;
}

/** Before validation and sending: decrypts the kind's secret fields. */
export function openChannelConfig(kind: keyof typeof SECRET_FIELDS, config: unknown, secret: string | undefined): unknown {
  if (typeof config !== "object" || config === null) return config;
  const opened: Record<string, unknown> = { ...(config as Record<string, unknown>) };
  for (const field of SECRET_FIELDS[kind]) {
    const value = opened[field];
    if (isEncrypted(value)) opened[field] = decryptSecret(value, secret);
  }
  return opened;
}
