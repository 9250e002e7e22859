import { Table, TableBody, TableHead, TableHeaderCell, TableRow } from "@tremor/react";
import type { ReactNode } from "react";

/** A column heading: its text, or the text with the heading cell's classes (alignment, wrapping); markup needs a key. */
export type Column = string | { label: string; className?: string } | { key: string; label: ReactNode; className?: string };

/**
 * Tremor's table with one header row built from `columns`; the body rows are the children. A `false` column is
 * left out, so a column only some people see is written `canManage && "Actions"`.
 *
 * It scrolls sideways inside a region that keyboard users can focus and screen readers can name (`label`, else the
 * first column headings): on a phone a table is wider than the screen, and a scrolling box nobody can reach with the
 * keyboard fails WCAG (axe's scrollable-region-focusable).
 */
export function DataTable({
  columns,
  children,
  className,
  label,
  "data-testid": testId,
}: {
  columns: ReadonlyArray<Column | false>;
  children: ReactNode;
  className?: string;
  label?: string;
  "data-testid"?: string;
}) {
  const shown = columns.filter((column) => column !== false);
  return (
    <div role="region" aria-label={label ?? regionLabel(shown)} tabIndex={0} className={`overflow-x-auto ${className ?? ""}`.trim()}>
      <Table className="overflow-visible" data-testid={testId}>
        <TableHead>
          <TableRow>{shown.map(headerCell)}</TableRow>
        </TableHead>
        <TableBody>{children}</TableBody>
      </Table>
    </div>
  );
}

/** "Table: Repository, AI share, …" from the headings that are text. */
function regionLabel(columns: readonly Column[]): string {
  const names = columns.flatMap((column) => (typeof column === "string" ? [column] : typeof column.label === "string" ? [column.label] : [])).filter((name) => name !== "");
  return names.length > 0 ? `Table: ${names.slice(0, 3).join(", ")}${names.length > 3 ? ", …" : ""}` : "Table";
}

function headerCell(column: Column) {
  if (typeof column === "string") return <TableHeaderCell key={column}>{column}</TableHeaderCell>;
  return (
    <TableHeaderCell key={"key" in column ? column.key : column.label} className={column.className}>
      {column.label}
    </TableHeaderCell>
  );
}

/** A right-aligned column (counts, shares, times), the most common kind after plain text; `also` adds classes. */
export function right(label: string, also = ""): Column {
  return { label, className: `${also} text-right`.trim() };
}
