import { uuid, type AnyPgColumn } from "drizzle-orm/pg-core";

/** Column builders the schema files share. Each call makes new builders: drizzle binds a builder to one table. */

/** A required reference to the row this one belongs to: deleting that row deletes this one. */
export function belongsTo(parent: () => AnyPgColumn) {
  return uuid().notNull().references(parent, { onDelete: "cascade" });
}

const RISK_TIERS = [1, 2, 3, 4] as const;
type RiskTier = (typeof RISK_TIERS)[number];
type PerRiskTier<Key extends string, Column> = { [Tier in RiskTier as `${Key}T${Tier}`]: Column };

/**
 * One column per risk tier: keys `<key>T1` … `<key>T4`, SQL names `<column>_t1` … `<column>_t4` (named here because
 * the snake_case casing would write `_t_1`). `build` makes one tier's column from its SQL name.
 */
export function perRiskTier<Key extends string, Column>(key: Key, column: string, build: (name: string) => Column): PerRiskTier<Key, Column> {
  return Object.fromEntries(RISK_TIERS.map((tier) => [`${key}T${tier}`, build(`${column}_t${tier}`)])) as PerRiskTier<Key, Column>;
}
