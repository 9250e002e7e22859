import { Link, useParams } from "@remix-run/react";
import { Card, TableCell, TableRow, Title } from "@tremor/react";
import { DataTable, right, type Column } from "~/components/ui/DataTable.tsx";
import type { HighRiskFile } from "~/presenters/repository.server.ts";
import { filePageLink } from "~/utils/file-link.ts";
import { formatRelativeTime } from "~/utils/format.ts";

const COLUMNS: Column[] = ["File", "Tier", right("AI commits"), right("AI lines"), right("Last change")];

/** The T3/T4 files AI-attributed changes touched, with their tier, AI commits and lines, and last change. */
export function HighRiskFilesCard({ files, now }: { files: HighRiskFile[]; now: string }) {
  // The repository page's own id, read from the URL so each file links to its history page.
  const repoId = useParams().repoId ?? "";
  return (
    <Card className="mt-6">
      <Title>
        High-risk files changed by AI (T3/T4, AI confidence ≥ 50 %)
      </Title>
      {files.length === 0 ? (
        <p className="mt-4 text-sm text-gray-500">
          No AI-attributed change touched a T3/T4 file in the last 90 days.
        </p>
      ) : (
        <DataTable className="mt-2" columns={COLUMNS}>
          {files.map((file) => (
            <TableRow key={file.path} data-testid="high-risk-file">
              <TableCell
                className="max-w-sm truncate font-mono text-xs"
                title={file.riskReasons.join("; ")}
              >
                <Link to={filePageLink(repoId, file.path)} className="text-blue-700 hover:underline">
                  {file.path}
                </Link>
              </TableCell>
              <TableCell>
                <span
                  className={`rounded px-1.5 py-0.5 text-xs font-medium ${
                    file.riskTier === 4
                      ? "bg-rose-100 text-rose-900"
                      : "bg-amber-100 text-amber-900"
                  }`}
                >
                  T{file.riskTier}
                </span>
              </TableCell>
              <TableCell className="text-right">{file.aiCommits}</TableCell>
              <TableCell className="text-right">{file.aiLinesAdded}</TableCell>
              <TableCell className="text-right">
                {formatRelativeTime(file.lastChangedAt, now)}
              </TableCell>
            </TableRow>
          ))}
        </DataTable>
      )}
    </Card>
  );
}
