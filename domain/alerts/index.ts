export * from "./settings.ts";
export * from "./rules.ts";
