import { z } from "zod";
import { describeGitHubApp } from "../../infrastructure/github/app-config.ts";
import { installUrlFor, removeStoredGitHubApp } from "../../infrastructure/github/app-registration.ts";
import { CliUsageError } from "../command.ts";
import { defineCommand } from "../define-command.ts";
import { actionPositional } from "../options.ts";

const USAGE = [
  "Usage: sentinel github-app show",
  "       sentinel github-app remove --yes",
  "",
  "Shows which GitHub App Sentinel uses (from the environment, or registered on the Setup page), or removes the one",
  "registered on the Setup page so another can be registered there. Removing does not delete the App on GitHub",
  "(do that under Settings → Developer settings → GitHub Apps); webhooks signed by it are refused once the web",
  "processes notice, within 30 seconds. No secret is ever printed.",
].join("\n");

const optionsSchema = z
  .object({ action: z.enum(["show", "remove"]), yes: z.boolean().optional() })
  .refine(
    (options) => options.action !== "remove" || options.yes,
    "removing the App stops GitHub sign-in and webhooks until another is configured; add --yes to confirm",
  );

export const githubAppCommand = defineCommand({
  name: "github-app",
  summary: "Show the GitHub App in use, or remove the one registered on the Setup page",
  usage: USAGE,
  flags: { yes: { type: "boolean" } },
  positionals: actionPositional(["show", "remove"]),
  options: optionsSchema,
  database: { migrate: false },
  async run({ action }, io, services) {
    const status = await describeGitHubApp(services.env, services.db);
    if (action === "show") {
      if (status.source === "none") {
        io.stdout.write("No GitHub App configured: register one on /setup, or set GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY and GITHUB_WEBHOOK_SECRET.\n");
        return 0;
      }
      const lines = [
        `source\t${status.source === "env" ? "environment" : "stored (Setup page)"}`,
        `app id\t${status.appId ?? "-"}`,
        `slug\t${status.slug ?? "-"}`,
        ...(status.slug ? [`install\t${installUrlFor(services.env.GITHUB_WEB_URL, status.slug)}`] : []),
        ...(status.source === "stored" && status.problem ? [`problem\t${status.problem}`] : []),
      ];
      io.stdout.write(`${lines.join("\n")}\n`);
      return 0;
    }
    const removed = await removeStoredGitHubApp(services.db);
    if (!removed) {
      throw new CliUsageError(
        status.source === "env" ? "the App comes from the environment (GITHUB_APP_*): change it there" : "no App is stored; nothing to remove",
      );
    }
    io.stdout.write(`Removed the stored GitHub App ${removed.slug} (id ${removed.appId}). Delete it on GitHub too if you no longer need it.\n`);
    if (status.source === "env") io.stderr.write("Note: the environment configures an App (GITHUB_APP_*), which Sentinel keeps using.\n");
    return 0;
  },
});
