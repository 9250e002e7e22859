#!/usr/bin/env node
// The `sentinel` CLI. The sources are TypeScript; tsx compiles them on the fly so no build step is needed.
import { register } from "tsx/esm/api";

register();
process.env.SENTINEL_CLI_ENTRY = "1";
await import("../cli/main.ts");
