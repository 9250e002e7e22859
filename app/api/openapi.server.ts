import { z } from "zod";
import { createIncidentInput } from "../../application/incidents/create-incident.server.ts";
import { alertListQuery } from "../presenters/alerts.server.ts";
import { eventFeedQuery } from "../presenters/events.server.ts";
import { incidentListQuery } from "../presenters/incidents.server.ts";
import { metricsRangeQuery } from "../presenters/repository.server.ts";

/**
 * The OpenAPI 3.1 document, built from the very zod schemas the routes validate with, so the document cannot
 * drift from what the API accepts. Response bodies are described by shape only (`data` plus paging fields).
 */
type JsonSchema = Record<string, unknown> & { properties?: Record<string, Record<string, unknown>>; required?: string[] };

function inputSchema(schema: z.ZodType): JsonSchema {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  delete json.$schema;
  return json;
}

function queryParameters(schema: z.ZodType) {
  const json = inputSchema(schema);
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: "query",
    required: (json.required ?? []).includes(name) && !("default" in property),
    schema: property,
    ...(typeof property.description === "string" ? { description: property.description } : {}),
  }));
}

const idParameter = (name: string, description: string, schema: Record<string, unknown>) => ({ name, in: "path", required: true, description, schema });
const uuid = { type: "string", format: "uuid" };

const errorResponse = (description: string) => ({ description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } });
const ok = (description: string) => ({
  description,
  content: { "application/json": { schema: { type: "object", properties: { data: {} }, required: ["data"] } } },
});
const common = { "401": errorResponse("Missing, invalid, revoked or expired API key"), "404": errorResponse("Not found, or not this organisation's") };

/** A GET of one resource by the id in its path. */
function oneOperation(operationId: string, summary: string, id: ReturnType<typeof idParameter>, found: string) {
  return { operationId, summary, parameters: [id], responses: { "200": ok(found), ...common } };
}

/** A GET of a list whose filters are the route's zod query schema: a bad filter answers 400. */
function listOperation(operationId: string, summary: string, query: z.ZodType, found: string) {
  return { operationId, summary, parameters: queryParameters(query), responses: { "200": ok(found), "400": errorResponse("Invalid filter"), ...common } };
}

/**
 * An operation that changes data: it needs a key with write scope (OpenAPI 3.1 lets a bearer scheme's requirement
 * list role names), and a read-only key answers 403. The guard enforces the same per route (`requireApiKey`).
 */
function writeOperation<T extends { description?: string; responses: Record<string, unknown> }>(operation: T) {
  const note = "Needs an API key with **write** scope; a read-only key answers 403.";
  return {
    ...operation,
    description: operation.description ? `${operation.description}\n\n${note}` : note,
    security: [{ apiKey: ["write"] }],
    responses: { ...operation.responses, "403": errorResponse("The API key is read-only: create a key with write scope") },
  };
}

const nullableNumber = (description: string) => ({ type: ["number", "null"], description });

/** AI share is an estimate (ADR 033): a share of written lines with a plausible range and the detector behind it. */
const shareEstimateSchema = {
  type: "object",
  description:
    "AI share of the range's written lines, estimated from the share bins of its UTC days: each commit's calibrated confidence is re-weighted to the repository's own share of agent commits (fitted over the range) before lines are summed.",
  properties: {
    aiShare: nullableNumber("Estimated AI share of written lines, percent; null without written lines"),
    aiShareLow: nullableNumber("Lower end of the plausible range (about 95 %), percent"),
    aiShareHigh: nullableNumber("Upper end of the plausible range (about 95 %), percent"),
    writtenLines: { type: "integer", description: "Written lines of the analysed commits (no lockfiles, generated files, translation catalogues or whitespace-only changes)" },
    aiLines: { type: "integer", description: "Expected AI-written lines among them" },
    analyzedCommits: { type: "integer" },
    prior: { type: "number", description: "The repository's estimated share of agent commits over the range, 0–1" },
    detectorVersions: { type: "array", items: { type: "string" }, description: "Detector versions whose verdicts the estimate rests on, newest first" },
  },
  required: ["aiShare", "aiShareLow", "aiShareHigh", "writtenLines", "aiLines", "analyzedCommits", "prior", "detectorVersions"],
};

const metricsDaySchema = {
  type: "object",
  description: "One local day of repo_metrics (the organisation's time zone), written by the nightly job.",
  properties: {
    date: { type: "string", format: "date" },
    commits: { type: "integer" },
    aiCommits: { type: "integer", description: "Commits with confidence ≥ 0.5" },
    linesAdded: { type: "integer", description: "Added lines of counted files" },
    writtenLines: { type: "integer", description: "Written lines: what AI share is a share of" },
    aiLinesAdded: { type: "integer", description: "Expected AI-written lines among the written lines" },
    aiPercentage: { type: "number", description: "Estimated AI share of the day's written lines, percent, at the prior fitted over the 90 days ending with the day" },
    aiShareLow: nullableNumber("Lower end of the day's plausible range (ai_share_low), percent"),
    aiShareHigh: nullableNumber("Upper end of the day's plausible range (ai_share_high), percent"),
    detectorVersion: { type: ["string", "null"], description: "Detector version of the day's newest verdict (detector_version)" },
    aiTax: nullableNumber("Share (0–1) of changed lines spent reworking young AI lines"),
    humanTax: nullableNumber("The same for human lines"),
    linesByTier: { type: ["object", "null"], description: "Written lines per risk tier (t1–t4)" },
    aiLinesByTier: { type: ["object", "null"], description: "Expected AI-written lines per risk tier, at the same adjusted confidences" },
    highRiskFiles: { type: "integer" },
    prsOpened: { type: "integer" },
    prsMerged: { type: "integer" },
    reviewQueueDepth: { type: ["integer", "null"] },
    deployments: { type: "integer" },
    incidentsOpened: { type: "integer" },
  },
  required: ["date", "aiPercentage", "aiShareLow", "aiShareHigh", "detectorVersion", "writtenLines", "aiLinesAdded"],
};

export function buildOpenApiDocument(serverUrl: string) {
  return {
    openapi: "3.1.0",
    info: {
      title: "Sentinel API",
      version: "1.0.0",
      description:
        "Read your organisation's AI-code metrics, events, incidents and alerts. Every id belongs to the API key's organisation; any other id answers 404. Read-only keys call every GET operation; creating incidents and acknowledging alerts needs a key with write scope.",
    },
    servers: [{ url: `${serverUrl.replace(/\/$/, "")}/api/v1` }],
    security: [{ apiKey: [] }],
    components: {
      securitySchemes: {
        apiKey: {
          type: "http",
          scheme: "bearer",
          description:
            "An API key from Settings → API keys or `sentinel api-key create` (snt_…). Each key has a scope: `read` (the default) calls the GET operations only; `write` may also create incidents and acknowledge alerts — a read key on those answers 403 with the reason. A key may expire: an expired key, like a revoked one, answers 401 with the reason.",
        },
      },
      schemas: {
        Error: {
          type: "object",
          properties: { error: { type: "string" }, fieldErrors: { type: "object", additionalProperties: { type: "string" } } },
          required: ["error"],
        },
        CreateIncident: inputSchema(createIncidentInput),
        AiShareEstimate: shareEstimateSchema,
        RepoMetricsDay: metricsDaySchema,
      },
    },
    paths: {
      "/repos": { get: { operationId: "listRepositories", summary: "Active repositories with last-90-day numbers", responses: { "200": ok("Repositories"), ...common } } },
      "/repos/{id}/metrics": {
        get: {
          operationId: "getRepoMetrics",
          summary: "Daily metrics of a repository (default: the last 90 days)",
          parameters: [idParameter("id", "Repository id", uuid), ...queryParameters(metricsRangeQuery)],
          responses: {
            "200": {
              description: "Daily rows, oldest first, and the range's estimated AI share",
              content: {
                "application/json": {
                  schema: {
                    type: "object",
                    properties: {
                      repository: { type: "object" },
                      from: { type: "string", format: "date" },
                      to: { type: "string", format: "date" },
                      aiShare: { $ref: "#/components/schemas/AiShareEstimate" },
                      data: { type: "array", items: { $ref: "#/components/schemas/RepoMetricsDay" } },
                    },
                    required: ["repository", "from", "to", "aiShare", "data"],
                  },
                },
              },
            },
            "400": errorResponse("Invalid range"),
            ...common,
          },
        },
      },
      "/repos/{id}/high-risk-files": {
        get: oneOperation(
          "getHighRiskFiles",
          "T3/T4 files changed by AI-attributed commits in the last 90 days",
          idParameter("id", "Repository id", uuid),
          "Files, riskiest first",
        ),
      },
      "/events": { get: listOperation("listEvents", "Event feed, newest first, keyset-paginated", eventFeedQuery, "A page of events and nextCursor") },
      "/events/{id}": {
        get: oneOperation("getEvent", "One event with the per-file attribution and the signals' evidence", idParameter("id", "Event id", { type: "integer" }), "The event"),
      },
      "/incidents": {
        get: listOperation("listIncidents", "Incidents with the AI share of their suspected commits", incidentListQuery, "Incidents, newest first"),
        post: writeOperation({
          operationId: "createIncident",
          summary: "Log an incident with suspected commits (full or short shas)",
          requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/CreateIncident" } } } },
          responses: { "201": ok("The incident"), "400": errorResponse("Invalid fields; nothing was written"), ...common },
        }),
      },
      "/incidents/{id}": { get: oneOperation("getIncident", "One incident with its suspected commits", idParameter("id", "Incident id", uuid), "The incident") },
      "/alerts": { get: listOperation("listAlerts", "Alerts, newest first, with the last 30 days' counts", alertListQuery, "Alerts and summary") },
      "/alerts/{id}/ack": {
        post: writeOperation({
          operationId: "acknowledgeAlert",
          summary: "Acknowledge an alert (idempotent)",
          parameters: [idParameter("id", "Alert id", uuid)],
          responses: { "200": ok("The acknowledgement"), ...common },
        }),
      },
    },
  };
}
