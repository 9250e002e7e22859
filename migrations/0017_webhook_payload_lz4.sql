-- ADR 024: a push delivery's payload is ~2 KB, just past the size at which PostgreSQL compresses a value, and
-- pglz compression was the largest part of the database's CPU per recorded delivery. lz4 does the same job in a
-- fraction of the time (new rows only; existing rows keep what they were written with). PostgreSQL builds without
-- lz4 (the embedded PGlite is one) keep pglz: the statement fails there and is skipped.
DO $$
BEGIN
  ALTER TABLE webhook_deliveries ALTER COLUMN payload SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
  RAISE NOTICE 'lz4 is not available in this PostgreSQL build; webhook payloads stay pglz-compressed';
END
$$;
