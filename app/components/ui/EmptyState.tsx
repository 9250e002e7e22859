import type { ReactNode } from "react";

/** What a list page shows instead of an empty table: why nothing is there, and where things come from. */
export function EmptyState({ children }: { children: ReactNode }) {
  return <p className="mt-8 rounded-lg border border-dashed border-gray-300 bg-white p-8 text-center text-sm text-gray-600">{children}</p>;
}
