import { describeGitHubApp } from "../../infrastructure/github/app-config.ts";
import { installUrlFor, removeStoredGitHubApp } from "../../infrastructure/github/app-registration.ts";
import { CliUsageError, parseCliArgs, type CliCommand } from "../command.ts";
import { withCliServices } from "../runtime.ts";

const USAGE = [
  "Usage: sentinel github-app show",
  "       sentinel github-app remove --yes",
  "",
  "Shows which GitHub App Sentinel uses (from the environment, or registered on the Setup page), or removes the one",
  "registered on the Setup page so another can be registered there. Removing does not delete the App on GitHub",
  "(do that under Settings → Developer settings → GitHub Apps); webhooks signed by it are refused once the web",
  "processes notice, within 30 seconds. No secret is ever printed.",
].join("\n");

export const githubAppCommand: CliCommand = {
  name: "github-app",
  summary: "Show the GitHub App in use, or remove the one registered on the Setup page",
  usage: USAGE,
  async run(args, io) {
    const parsed = parseCliArgs({ args, options: { yes: { type: "boolean" } }, allowPositionals: true, strict: true });
    const [action, ...extra] = parsed.positionals;
    if (action !== "show" && action !== "remove") {
      throw new CliUsageError(`expected show or remove, got ${action === undefined ? "nothing" : `"${action}"`}`);
    }
    if (extra.length > 0) throw new CliUsageError(`unexpected argument "${extra[0]}"`);
    if (action === "remove" && !parsed.values.yes) {
      throw new CliUsageError("removing the App stops GitHub sign-in and webhooks until another is configured; add --yes to confirm");
    }
    return withCliServices({ migrate: false }, async ({ services }, env) => {
      const status = await describeGitHubApp(env, services.db);
      if (action === "show") {
        if (status.source === "none") {
          io.stdout.write("No GitHub App configured: register one on /setup, or set GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY and GITHUB_WEBHOOK_SECRET.\n");
          return 0;
        }
        const lines = [
          `source\t${status.source === "env" ? "environment" : "stored (Setup page)"}`,
          `app id\t${status.appId ?? "-"}`,
          `slug\t${status.slug ?? "-"}`,
          ...(status.slug ? [`install\t${installUrlFor(env.GITHUB_WEB_URL, status.slug)}`] : []),
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
    });
  },
};
