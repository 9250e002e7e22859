import { Table, TableBody, TableHead, TableHeaderCell, TableRow } from "@tremor/react";
import type { ReactNode } from "react";

/** A column heading: its text, or the text with the heading cell's classes (alignment, wrapping); markup needs a key. */
export type Column = string | { label: string; className?: string } | { key: string; label: ReactNode; className?: string };

/**
 * Tremor's table with one header row built from `columns`; the body rows are the children. A `false` column is
 * left out, so a column only some people see is written `canManage && "Actions"`.
 *
 * It scrolls sideways inside a box keyboard users can focus (named by `label` when given): on a phone a table is
 * wider than the screen, and a scrolling box nobody can reach with the keyboard fails WCAG (axe's
 * scrollable-region-focusable). Not named after its headings: form fields' labels ("Name", "Repository") would then
 * match the table too.
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
    <div tabIndex={0} {...(label ? { role: "region", "aria-label": label } : {})} className={`overflow-x-auto ${className ?? ""}`.trim()}>
      <Table className="overflow-visible" data-testid={testId}>
        <TableHead>
          <TableRow>{shown.map(headerCell)}</TableRow>
        </TableHead>
        <TableBody>{children}</TableBody>
      </Table>
    </div>
  );
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
