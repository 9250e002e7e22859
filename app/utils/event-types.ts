/** Shared by the feed's filter form (browser) and its query schema (server). */
export { CODE_EVENT_TYPES as EVENT_TYPES } from "../../domain/ingestion/event-types.ts";
