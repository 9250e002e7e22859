import { TableCell, TableRow } from "@tremor/react";
import { DataTable, right } from "~/components/ui/DataTable.tsx";
import type { AlertDeliveryView } from "~/presenters/alerts.server.ts";

const utc = (iso: string | null) => (iso ? `${iso.slice(0, 16).replace("T", " ")} UTC` : "—");

/** Where the alert was sent and how each channel answered (the last error of one still retrying or given up). */
export function AlertDeliveries({ deliveries }: { deliveries: AlertDeliveryView[] }) {
  if (deliveries.length === 0) {
    return <p className="mt-2 text-sm text-gray-500">No notification channel was enabled when this alert fired; channels are in Settings → Channels.</p>;
  }
  return (
    <DataTable className="mt-2" data-testid="alert-deliveries" columns={["Channel", "Status", right("Attempts"), "Sent", "Last error"]}>
      {deliveries.map((delivery) => (
        <TableRow key={delivery.channelId}>
          <TableCell className="whitespace-normal">
            {delivery.channelName} <span className="text-xs text-gray-600">{delivery.kind}</span>
          </TableCell>
          <TableCell>{delivery.status}</TableCell>
          <TableCell className="text-right">{delivery.attempts}</TableCell>
          <TableCell className="whitespace-nowrap">{utc(delivery.sentAt)}</TableCell>
          <TableCell className="max-w-xs truncate" title={delivery.lastError ?? undefined}>
            {delivery.lastError ?? "—"}
          </TableCell>
        </TableRow>
      ))}
    </DataTable>
  );
}
