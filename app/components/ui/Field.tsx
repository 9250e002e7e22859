import type { ReactNode } from "react";

/** A control with its label above it; the label wraps the control, so the text names it and focuses it. */
export function Field({ label, children }: { label: ReactNode; children: ReactNode }) {
  return (
    <label className="flex flex-col gap-1">
      {label}
      {children}
    </label>
  );
}

/** A field's error, announced when it appears; the field points at it with aria-describedby={id}. */
export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p id={id} role="alert" className="text-sm text-rose-700">
      {message}
    </p>
  );
}
