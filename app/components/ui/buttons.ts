/**
 * The dashboard's button looks, named once: `primary` submits a page's main form, `secondary` applies a filter,
 * `row` and `rowDanger` are the small actions inside a table row (the danger one removes or revokes something).
 */
export const BUTTON_CLASSES = {
  primary: "rounded-md bg-gray-900 px-3 py-2 text-white hover:bg-gray-700",
  secondary: "rounded-md border border-gray-300 bg-white px-3 py-2 hover:bg-gray-50",
  row: "rounded-md border border-gray-300 bg-white px-2 py-1 text-xs hover:bg-gray-50",
  rowDanger: "rounded-md border border-rose-300 bg-white px-2 py-1 text-xs text-rose-700 hover:bg-rose-50",
} as const;

export type ButtonVariant = keyof typeof BUTTON_CLASSES;
