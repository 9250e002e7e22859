import { defineConfig } from "drizzle-kit";

// `npm run db:generate` diffs the schema against migrations/ and writes the next NNNN_name.sql.
// Review the SQL before committing it: migrations are applied as written by `sentinel migrate`.
export default defineConfig({
  dialect: "postgresql",
  schema: "./infrastructure/db/schema/index.ts",
  out: "./migrations",
  casing: "snake_case",
});
