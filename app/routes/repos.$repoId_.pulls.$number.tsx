import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Card, TableCell, TableRow, Title } from "@tremor/react";
import { requireOrganization, shellOf } from "~/auth.server.ts";
import { AppShell } from "~/components/AppShell.tsx";
import { formatDuration, reviewLabel } from "~/components/pulls/format.ts";
import { TierBadge } from "~/components/pulls/PullRequestTable.tsx";
import { DataTable, right } from "~/components/ui/DataTable.tsx";
import { formatFractionAsPercent } from "~/utils/format.ts";
import { formatConfidence } from "~/utils/signals.ts";
import { getPullRequestPage, pullRequestNumber } from "~/presenters/pulls.server.ts";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `#${data.pr.number} ${data.pr.title} · Sentinel` : "Pull request · Sentinel" }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const signedIn = await requireOrganization(request, context);
  const number = pullRequestNumber.safeParse(params.number);
  // A malformed number, an unknown one and another organisation's repository look the same from outside: not found.
  if (!number.success) throw new Response("Pull request not found", { status: 404 });
  const pr = await getPullRequestPage(context.services.db, signedIn.org.orgId, params.repoId ?? "", number.data);
  if (!pr) throw new Response("Pull request not found", { status: 404 });
  return { ...shellOf(signedIn), pr };
}

function Fact({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div>
      <dt className="text-gray-600">{label}</dt>
      <dd className="font-medium" data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}

export default function PullRequestPage() {
  const { user, org, pr } = useLoaderData<typeof loader>();
  return (
    <AppShell user={user} org={org}>
      <p className="text-sm text-gray-600">
        <Link to="/pulls" className="text-blue-700 underline">
          Pull requests
        </Link>{" "}
        ·{" "}
        <Link to={`/repos/${pr.repoId}`} className="text-blue-700 underline">
          {pr.repoFullName}
        </Link>
      </p>
      <h1 className="mt-1 text-2xl font-semibold tracking-tight">
        #{pr.number} {pr.title}
      </h1>
      <p className="mt-1 text-sm">
        <a href={pr.url} className="text-blue-700 underline" rel="noreferrer" target="_blank">
          Open on GitHub
        </a>{" "}
        · {pr.state} · by {pr.author ?? "unknown"} · opened {pr.openedAt.slice(0, 16).replace("T", " ")} UTC
        {pr.mergedAt ? ` · merged ${pr.mergedAt.slice(0, 16).replace("T", " ")} UTC` : ""}
      </p>
      <Card className="mt-6" data-testid="card-pull-request-facts">
        <dl className="grid grid-cols-2 gap-4 text-sm md:grid-cols-4">
          <Fact label="AI-assisted" value={pr.aiAssisted ? "Yes" : "No"} testId="pr-ai-assisted" />
          <Fact label="AI share of written lines" value={`${formatFractionAsPercent(pr.aiShare, 0)} (${pr.aiLines.toLocaleString("en-US")} of ${pr.writtenLines.toLocaleString("en-US")})`} testId="pr-ai-share" />
          <Fact label="Agents" value={pr.agents.length > 0 ? pr.agents.join(", ") : "—"} />
          <Fact label="Highest AI risk tier" value={pr.highestAiRiskTier === null ? "—" : `T${pr.highestAiRiskTier}`} />
          <Fact label="Reviews" value={reviewLabel(pr.reviews)} testId="pr-reviews" />
          <Fact label="Approvals / with a comment" value={`${pr.reviews.approvals} / ${pr.reviews.commented}`} />
          <Fact label="Time to first review" value={formatDuration(pr.timeToFirstReviewMinutes)} />
          <Fact label="Cycle time (opened → merged)" value={formatDuration(pr.cycleTimeMinutes)} />
        </dl>
      </Card>
      <Card className="mt-6">
        <Title>Commits</Title>
        {pr.commits.length === 0 ? (
          <p className="mt-2 text-sm text-gray-600">No commit of this pull request has reached Sentinel yet (its branch's push links them).</p>
        ) : (
          <DataTable className="mt-4" columns={["Commit", "Author", right("Written lines"), right("AI confidence"), "Agent"]} data-testid="pr-commits">
            {pr.commits.map((commit) => (
              <TableRow key={commit.sha}>
                <TableCell className="whitespace-normal">
                  {commit.eventId !== null ? (
                    <Link to={`/events/${commit.eventId}`} className="font-mono text-blue-700 hover:underline">
                      {commit.sha.slice(0, 7)}
                    </Link>
                  ) : (
                    <span className="font-mono">{commit.sha.slice(0, 7)}</span>
                  )}{" "}
                  {commit.message}
                </TableCell>
                <TableCell>{commit.author ?? "—"}</TableCell>
                <TableCell className="text-right">{commit.writtenLines.toLocaleString("en-US")}</TableCell>
                <TableCell className="text-right">{commit.aiConfidence === null ? commit.analysisStatus : formatConfidence(commit.aiConfidence)}</TableCell>
                <TableCell>{commit.agent ?? "—"}</TableCell>
              </TableRow>
            ))}
          </DataTable>
        )}
      </Card>
      <Card className="mt-6">
        <Title>Files touched by AI</Title>
        {pr.aiFiles.length === 0 ? (
          <p className="mt-2 text-sm text-gray-600">No file of this pull request was judged AI-written (confidence ≥ 0.5).</p>
        ) : (
          <DataTable className="mt-4" columns={["File", "Risk tier", right("AI-written lines"), right("Commits")]} data-testid="pr-ai-files">
            {pr.aiFiles.map((file) => (
              <TableRow key={file.path}>
                <TableCell className="whitespace-normal font-mono text-xs">{file.path}</TableCell>
                <TableCell>
                  <TierBadge tier={file.riskTier} />
                </TableCell>
                <TableCell className="text-right">{file.aiLines.toLocaleString("en-US")}</TableCell>
                <TableCell className="text-right">{file.commits}</TableCell>
              </TableRow>
            ))}
          </DataTable>
        )}
      </Card>
    </AppShell>
  );
}
