/** Filled in by the database work: prepares the migrated template database that test files clone. */
export default async function globalSetup(): Promise<void> {}
