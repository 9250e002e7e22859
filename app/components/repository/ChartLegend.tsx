/** The colour key under a chart: Tremor's own legend is hidden, so the key is plain markup that renders before hydration. */
export function ChartLegend({
  items,
}: {
  items: Array<[label: string, swatch: string]>;
}) {
  return (
    <ul className="mt-2 flex gap-4 text-xs text-gray-600">
      {items.map(([label, swatch]) => (
        <li key={label} className="flex items-center gap-1.5">
          <span
            aria-hidden="true"
            className={`inline-block h-2 w-2 rounded-full ${swatch}`}
          />
          {label}
        </li>
      ))}
    </ul>
  );
}
