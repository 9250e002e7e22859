// Kept out of the browser build (node:crypto, node:zlib): routes import API key use-cases from here.
export { createApiKey, describeApiKeyExpiry, listApiKeys, revokeApiKey } from "../../infrastructure/api/api-keys.ts";
