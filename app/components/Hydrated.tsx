import { useEffect, useState } from "react";

/** True after the first client render: Tremor's charts (recharts) measure the DOM, so they render only then. */
export function useHydrated(): boolean {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return hydrated;
}

/** The chart after hydration; before it, a box of the same height so the page does not jump. */
export function ChartSlot({ label, height = "h-56", children }: { label: string; height?: string; children: () => React.ReactNode }) {
  const hydrated = useHydrated();
  return (
    <div role="img" aria-label={label} className={height}>
      {hydrated ? children() : <div className={`${height} animate-pulse rounded bg-gray-100`} />}
    </div>
  );
}
