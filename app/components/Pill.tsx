import type { ReactNode } from "react";

/**
 * A small label with colours chosen for contrast (WCAG AA at 12 px), for places where Tremor's badge colours fail
 * axe's color-contrast check (its amber "warning" badge, for one).
 */
const TONES = {
  info: "bg-blue-100 text-blue-800",
  warning: "bg-amber-100 text-amber-900",
  critical: "bg-red-100 text-red-800",
  neutral: "bg-gray-100 text-gray-800",
} as const;

export type PillTone = keyof typeof TONES;

export function Pill({ tone, children, className = "" }: { tone: PillTone; children: ReactNode; className?: string }) {
  return <span className={`inline-flex items-center rounded-md px-1.5 py-0.5 text-xs font-medium ${TONES[tone]} ${className}`}>{children}</span>;
}
