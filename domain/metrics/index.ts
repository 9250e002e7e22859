export * from "./daily.ts";
export * from "./provenance.ts";
export * from "./review-queue.ts";
export * from "./survival.ts";
export * from "./time.ts";
export * from "./ai-share.ts";
export * from "./share-bins.ts";
