export * from "./tenancy.ts";
export * from "./activity.ts";
export * from "./insights.ts";
export * from "./metrics.ts";
export * from "./github-app.ts";
export * from "./rollups.ts";
export * from "./author-activity.ts";
export * from "./pull-request-lines.ts";
