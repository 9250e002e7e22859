import { sql } from "drizzle-orm";
import { bigint, check, pgTable, smallint, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { users } from "./tenancy.ts";

/**
 * The GitHub App registered from the Setup page (manifest flow), for installs that do not configure it through
 * GITHUB_APP_ID / GITHUB_APP_PRIVATE_KEY / GITHUB_WEBHOOK_SECRET. One App per Sentinel install, so one row at most
 * (id is always 1). Secrets are AES-256-GCM ciphertexts (`enc:v1:…`) under SENTINEL_SECRET_KEY; the App id, slug
 * and OAuth client id are public and stored as they are. Not tenant data: it belongs to the install.
 */
export const githubAppCredentials = pgTable(
  "github_app_credentials",
  {
    id: smallint().primaryKey().default(1),
    appId: bigint({ mode: "number" }).notNull(),
    slug: text().notNull(),
    name: text().notNull(),
    /** The account that owns the App registration on GitHub. */
    ownerLogin: text(),
    htmlUrl: text().notNull(),
    clientId: text().notNull(),
    clientSecretEncrypted: text().notNull(),
    webhookSecretEncrypted: text().notNull(),
    privateKeyEncrypted: text().notNull(),
    createdByUserId: uuid().references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("github_app_credentials_single_row", sql`${t.id} = 1`)],
);
