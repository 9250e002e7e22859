import { Table, TableBody, TableHead, TableHeaderCell, TableRow } from "@tremor/react";
import type { ReactNode } from "react";

/** A column heading: its text, or the text with the heading cell's classes (alignment, wrapping); markup needs a key. */
export type Column = string | { label: string; className?: string } | { key: string; label: ReactNode; className?: string };

/**
 * Tremor's table with one header row built from `columns`; the body rows are the children. A `false` column is
 * left out, so a column only some people see is written `canManage && "Actions"`.
 */
export function DataTable({
  columns,
  children,
  className,
  "data-testid": testId,
}: {
  columns: ReadonlyArray<Column | false>;
  children: ReactNode;
  className?: string;
  "data-testid"?: string;
}) {
  return (
    <Table className={className} data-testid={testId}>
      <TableHead>
        <TableRow>
          {columns.filter((column) => column !== false).map(headerCell)}
        </TableRow>
      </TableHead>
      <TableBody>{children}</TableBody>
    </Table>
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
