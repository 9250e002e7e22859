import type { ChannelKind } from "../../domain/alerts/channel-kinds.ts";
import { isSealedSecret, openSealedSecret, sealSecret } from "../crypto/secret-box.ts";

export { SecretDecryptionError } from "../crypto/secret-box.ts";

/**
 * Channel secrets at rest (PagerDuty routing keys, Slack webhook URLs): sealed with ../crypto/secret-box.ts under
 * SENTINEL_SECRET_KEY inside the channel's config. Without the key a secret is refused, never stored in clear
 * (sealChannelSecrets). A value without the `enc:v1:` prefix is one an older Sentinel saved without a key: it is
 * still read, so those channels keep delivering, and holdsSecretInClear lets the settings page flag it.
 */

/** Key-derivation label of channel secrets (unchanged since they were first encrypted). */
const PURPOSE = "sentinel-channel-secrets";

/** Which config fields of each channel kind are secrets. */
export const SECRET_FIELDS: Record<ChannelKind, readonly string[]> = {
  slack: ["webhookUrl"],
  email: [],
  pagerduty: ["routingKey"],
};

export function encryptSecret(plaintext: string, secret: string): string {
  return sealSecret(plaintext, secret, PURPOSE);
}

export function isEncrypted(value: unknown): value is string {
  return isSealedSecret(value);
}

export function decryptSecret(value: string, secret: string | undefined): string {
  if (!isEncrypted(value)) return value;
  return openSealedSecret(value, secret, PURPOSE, "a channel secret");
}

/** What the settings page says when a secret is typed in while the key is missing. */
export const SECRET_KEY_REQUIRED =
  "Set SENTINEL_SECRET_KEY (at least 32 characters, e.g. `openssl rand -hex 32`) and restart Sentinel to store channel secrets: Sentinel stores them only encrypted, never in clear.";

/** Whether this config carries a secret (a Slack channel id or email addresses do not; a webhook URL does). */
export function holdsSecret(kind: ChannelKind, config: Record<string, unknown>): boolean {
  return SECRET_FIELDS[kind].some((field) => typeof config[field] === "string" && config[field] !== "");
}

/** A stored config with a secret in clear (saved before secrets had to be encrypted). */
export function holdsSecretInClear(kind: ChannelKind, config: unknown): boolean {
  if (typeof config !== "object" || config === null) return false;
  const fields = config as Record<string, unknown>;
  return SECRET_FIELDS[kind].some((field) => typeof fields[field] === "string" && fields[field] !== "" && !isEncrypted(fields[field]));
}

/**
 * For the settings page's save: the config as it may be stored. Its secret fields are sealed under the key; a config
 * with a secret and no key is refused, so nothing reaches the database in clear.
 */
export function sealChannelSecrets(
  kind: ChannelKind,
  config: Record<string, unknown>,
  secret: string | undefined,
): { ok: true; config: Record<string, unknown> } | { ok: false; code: "SECRET_KEY_MISSING"; message: string } {
  if (!holdsSecret(kind, config)) return { ok: true, config };
  if (!secret) return { ok: false, code: "SECRET_KEY_MISSING", message: SECRET_KEY_REQUIRED };
  return { ok: true, config: sealChannelConfig(kind, config, secret) };
}

/** Encrypts the kind's secret fields under the key. */
export function sealChannelConfig(kind: ChannelKind, config: Record<string, unknown>, secret: string): Record<string, unknown> {
  // A caller bug, not an input error: an empty key would "encrypt" under a key anyone can derive.
  if (!secret) throw new Error("sealChannelConfig needs SENTINEL_SECRET_KEY");
  const sealed = { ...config };
  for (const field of SECRET_FIELDS[kind]) {
    const value = sealed[field];
    if (typeof value === "string" && !isEncrypted(value)) sealed[field] = encryptSecret(value, secret);
  }
  return sealed;
}

/** Before validation and sending: decrypts the kind's secret fields. */
export function openChannelConfig(kind: ChannelKind, config: unknown, secret: string | undefined): unknown {
  if (typeof config !== "object" || config === null) return config;
  const opened: Record<string, unknown> = { ...(config as Record<string, unknown>) };
  for (const field of SECRET_FIELDS[kind]) {
    const value = opened[field];
    if (isEncrypted(value)) opened[field] = decryptSecret(value, secret);
  }
  return opened;
}
