import { TableCell, TableRow } from "@tremor/react";
import { DataTable, right } from "~/components/ui/DataTable.tsx";
import type { AlertFigure } from "~/presenters/alerts-figures.ts";

/**
 * An alert's numbers against the rule's thresholds: the one in force when it fired and the one set today, which
 * differ once someone has changed the rule since.
 */
export function AlertFigures({ figures }: { figures: AlertFigure[] }) {
  if (figures.length === 0) return <p className="mt-2 text-sm text-gray-500">This alert stored no numbers.</p>;
  return (
    <DataTable className="mt-2" data-testid="alert-figures" columns={["Measure", right("Value"), right("Threshold when it fired"), right("Threshold today")]}>
      {figures.map((figure) => (
        <TableRow key={figure.label}>
          <TableCell className="whitespace-normal">{figure.label}</TableCell>
          <TableCell className="text-right font-medium">{figure.value}</TableCell>
          <TableCell className="text-right">{figure.thresholdThen ?? "—"}</TableCell>
          <TableCell className="text-right">{figure.thresholdNow ?? "—"}</TableCell>
        </TableRow>
      ))}
    </DataTable>
  );
}
