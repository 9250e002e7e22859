import { z } from "zod";
import { createIncidentInput } from "../../application/incidents/create-incident.server.ts";
import { aiToolsResponseSchema, organisationAiToolsResponseSchema } from "../presenters/ai-tools.server.ts";
import { alertListQuery } from "../presenters/alerts.server.ts";
import { doraResponseSchema } from "../presenters/dora.server.ts";
import { unreviewedAiMergesResponseSchema } from "../presenters/unreviewed-ai-merges.server.ts";
import { pullRequestDetailResponse, pullRequestListQuery, pullRequestListResponse } from "../presenters/pulls.server.ts";
import { rangeDaysQuery } from "../utils/range-days.ts";
import { teamDetailResponse, teamListResponse } from "../presenters/teams.server.ts";
import { eventFeedQuery } from "../presenters/events.server.ts";
import { incidentListQuery } from "../presenters/incidents.server.ts";
import { metricsRangeQuery } from "../presenters/repository.server.ts";
import { CSV_LISTS, csvColumns, listFormatQuery, type CsvList } from "./csv.server.ts";
import {
  alertAckResponse,
  alertListResponse,
  eventDetailResponse,
  eventListResponse,
  highRiskFilesResponse,
  incidentDetailResponse,
  incidentListResponse,
  repoListResponse,
  repoMetricsResponse,
} from "./responses.server.ts";

/**
 * The OpenAPI 3.1 document, built from the very zod schemas the routes validate with and the response schemas the
 * contract test holds the endpoints to (responses.server.ts), so the document cannot drift from what the API accepts
 * and answers.
 */
type JsonSchema = Record<string, unknown> & { properties?: Record<string, Record<string, unknown>>; required?: string[] };

/** A request schema as what a client may send (defaults optional), a response schema as what it receives. */
function jsonSchemaOf(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const json = z.toJSONSchema(schema, io === "input" ? { io, unrepresentable: "any" } : { io }) as JsonSchema;
  delete json.$schema;
  return json;
}

function queryParameters(schema: z.ZodType) {
  const json = jsonSchemaOf(schema, "input");
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
const repoIdParameter = idParameter("id", "Repository id", uuid);
type Parameter = ReturnType<typeof idParameter> | ReturnType<typeof queryParameters>[number];

const errorResponse = (description: string) => ({ description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } });
const jsonResponse = (description: string, body: z.ZodType) => ({ description, content: { "application/json": { schema: jsonSchemaOf(body, "output") } } });
const common = { "401": errorResponse("Missing, invalid, revoked or expired API key"), "404": errorResponse("Not found, or not this organisation's") };

/** A list's 200: the JSON body, or with `format=csv` the items of its `data` as a CSV file. */
function listResponse(description: string, body: z.ZodType, list: CsvList) {
  const columns = csvColumns(CSV_LISTS[list]).map((column) => column.header);
  const csv = {
    type: "string",
    description: `With format=csv: a header row, then one row per item of \`data\` (the rest of the JSON body is left out). Columns: ${columns.join(", ")}. A nested object's fields are parent.child columns, a list is one cell joined with ";", null is an empty cell, and a text cell starting with = + - @, a tab or a carriage return starts with ' so spreadsheets do not run it.`,
  };
  const disposition = { description: `With format=csv: attachment; filename="sentinel-${list}-YYYY-MM-DD.csv" (the UTC date)`, schema: { type: "string" } };
  return { description, headers: { "Content-Disposition": disposition }, content: { ...jsonResponse(description, body).content, "text/csv": { schema: csv } } };
}

/**
 * A GET: the ids in its path, its filters (the route's zod query schema) and, for a list (`list` names its CSV),
 * `format` with a text/csv answer. A bad filter or format answers 400.
 */
function getOperation(operation: {
  operationId: string;
  summary: string;
  path?: Parameter[];
  filters?: z.ZodType;
  found: string;
  body: z.ZodType;
  list?: CsvList;
}) {
  const { filters, list } = operation;
  const invalid = filters && list ? "Invalid filter or format" : filters ? "Invalid filter" : "Invalid format";
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    parameters: [...(operation.path ?? []), ...(filters ? queryParameters(filters) : []), ...(list ? queryParameters(listFormatQuery) : [])],
    responses: {
      "200": list ? listResponse(operation.found, operation.body, list) : jsonResponse(operation.found, operation.body),
      ...(filters || list ? { "400": errorResponse(invalid) } : {}),
      ...common,
    },
  };
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

export function buildOpenApiDocument(serverUrl: string) {
  return {
    openapi: "3.1.0",
    info: {
      title: "Sentinel API",
      version: "1.0.0",
      description:
        "Read your organisation's AI-code metrics, events, incidents and alerts. Every id belongs to the API key's organisation; any other id answers 404. Read-only keys call every GET operation; creating incidents and acknowledging alerts needs a key with write scope.\n\nUnits: every share, rate and confidence (AI share and its range, AI tax, survival, incident attribution, change failure rate, AI confidence, signal weight, …) is a fraction between 0 and 1 — 0.312 means 31.2 %, in JSON and in CSV alike. Until 2026-12-07 AI shares (aiShare, aiShareLow, aiShareHigh, a metrics day's aiPercentage) and incidents' aiAttribution were percents; see docs/api.md.",
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
        CreateIncident: jsonSchemaOf(createIncidentInput, "input"),
      },
    },
    paths: {
      "/repos": {
        get: getOperation({
          operationId: "listRepositories",
          summary: "Active repositories with last-90-day numbers",
          found: "Repositories",
          body: repoListResponse,
          list: "repos",
        }),
      },
      "/repos/{id}/metrics": {
        get: getOperation({
          operationId: "getRepoMetrics",
          summary: "Daily metrics of a repository (default: the last 90 days)",
          path: [repoIdParameter],
          filters: metricsRangeQuery,
          found: "Daily rows, oldest first, and the range's estimated AI share",
          body: repoMetricsResponse,
          list: "metrics",
        }),
      },
      "/repos/{id}/high-risk-files": {
        get: getOperation({
          operationId: "getHighRiskFiles",
          summary: "T3/T4 files changed by AI-attributed commits in the last 90 days",
          path: [repoIdParameter],
          found: "Files, riskiest first",
          body: highRiskFilesResponse,
          list: "high-risk-files",
        }),
      },
      "/repos/{id}/tools": {
        get: getOperation({
          operationId: "getRepoAiTools",
          summary: "AI commits and their written lines per AI tool, in all and per ISO week (default: the last 90 days)",
          path: [repoIdParameter],
          filters: rangeDaysQuery,
          found: "Per tool over the range and per week",
          body: aiToolsResponseSchema,
        }),
      },
      "/tools": {
        get: getOperation({
          operationId: "getOrganizationAiTools",
          summary: "The organisation's AI tools over the ISO weeks the range touches: per tool its AI commits, written lines, repositories, AI tax and survival, and per week",
          filters: rangeDaysQuery,
          found: "Per tool (data, most commits first) and per week",
          body: organisationAiToolsResponseSchema,
          list: "tools",
        }),
      },
      "/repos/{id}/unreviewed-ai-merges": {
        get: getOperation({
          operationId: "getRepoUnreviewedAiMerges",
          summary: "Pull requests merged without a review although they hold AI-written T3/T4 changes (default: the last 90 days)",
          path: [repoIdParameter],
          filters: rangeDaysQuery,
          found: "Counts of merged, AI T3/T4 merged and unreviewed AI T3/T4 merged pull requests, and the unreviewed ones, newest first",
          body: unreviewedAiMergesResponseSchema,
        }),
      },
      "/pulls": {
        get: getOperation({
          operationId: "listPullRequests",
          summary: "Pull requests opened in the range (default: the last 90 days), newest first, with AI share, agents, reviews and cycle time, and AI-assisted vs human medians",
          filters: pullRequestListQuery,
          found: "A page of pull requests (data), the total and the AI-assisted vs human comparison",
          body: pullRequestListResponse,
          list: "pulls",
        }),
      },
      "/repos/{id}/pulls/{number}": {
        get: getOperation({
          operationId: "getPullRequest",
          summary: "One pull request with its commits and the files its AI-written code touched",
          path: [repoIdParameter, idParameter("number", "Pull request number", { type: "integer", minimum: 1 })],
          found: "The pull request",
          body: pullRequestDetailResponse,
        }),
      },
      "/repos/{id}/dora": {
        get: getOperation({
          operationId: "getRepoDora",
          summary: "DORA figures of a repository, with change failure split by AI-written T3/T4 code (default: the last 90 days)",
          path: [repoIdParameter],
          filters: rangeDaysQuery,
          found: "Deployment frequency, lead time, change failure rate and time to restore over the range",
          body: doraResponseSchema,
        }),
      },
      "/teams": {
        get: getOperation({
          operationId: "listTeams",
          summary: "Teams of 3 people or more with their commits, AI commits by tool, written lines, AI share and merged PRs (default: the last 90 days); smaller teams together as others (hidden below 3 people); no person data",
          filters: rangeDaysQuery,
          found: "Teams (data, by name), others, and the privacy setting",
          body: teamListResponse,
          list: "teams",
        }),
      },
      "/teams/{id}": {
        get: getOperation({
          operationId: "getTeam",
          summary: "One team's figures; per-person rows (members) only when an owner turned per-person figures on; no figures for a team under 3 people",
          path: [idParameter("id", "Team id", uuid)],
          filters: rangeDaysQuery,
          found: "The team",
          body: teamDetailResponse,
        }),
      },
      "/dora": {
        get: getOperation({
          operationId: "getOrganizationDora",
          summary: "DORA figures of the organisation's active repositories together, with change failure split by AI-written T3/T4 code",
          filters: rangeDaysQuery,
          found: "Deployment frequency, lead time, change failure rate and time to restore over the range",
          body: doraResponseSchema,
        }),
      },
      "/events": {
        get: getOperation({
          operationId: "listEvents",
          summary: "Event feed, newest first, keyset-paginated (as CSV, the next page is the Link header's rel=\"next\")",
          filters: eventFeedQuery,
          found: "A page of events and nextCursor",
          body: eventListResponse,
          list: "events",
        }),
      },
      "/events/{id}": {
        get: getOperation({
          operationId: "getEvent",
          summary: "One event with the per-file attribution and the signals' evidence",
          path: [idParameter("id", "Event id", { type: "integer" })],
          found: "The event",
          body: eventDetailResponse,
        }),
      },
      "/incidents": {
        get: getOperation({
          operationId: "listIncidents",
          summary: "Incidents with the AI share of their suspected commits",
          filters: incidentListQuery,
          found: "Incidents, newest first",
          body: incidentListResponse,
          list: "incidents",
        }),
        post: writeOperation({
          operationId: "createIncident",
          summary: "Log an incident with suspected commits (full or short shas)",
          requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/CreateIncident" } } } },
          responses: { "201": jsonResponse("The incident", incidentDetailResponse), "400": errorResponse("Invalid fields; nothing was written"), ...common },
        }),
      },
      "/incidents/{id}": {
        get: getOperation({
          operationId: "getIncident",
          summary: "One incident with its suspected commits",
          path: [idParameter("id", "Incident id", uuid)],
          found: "The incident",
          body: incidentDetailResponse,
        }),
      },
      "/alerts": {
        get: getOperation({
          operationId: "listAlerts",
          summary: "Alerts, newest first, with the last 30 days' counts",
          filters: alertListQuery,
          found: "Alerts and summary",
          body: alertListResponse,
          list: "alerts",
        }),
      },
      "/alerts/{id}/ack": {
        post: writeOperation({
          operationId: "acknowledgeAlert",
          summary: "Acknowledge an alert (idempotent)",
          parameters: [idParameter("id", "Alert id", uuid)],
          responses: { "200": jsonResponse("The acknowledgement", alertAckResponse), ...common },
        }),
      },
    },
  };
}
