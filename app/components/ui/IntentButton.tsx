import { Form } from "@remix-run/react";
import type { ReactNode } from "react";
import { BUTTON_CLASSES, type ButtonVariant } from "./buttons.ts";

/**
 * A one-button POST form: the route's action reads `intent` to know what to do and `fields` (hidden inputs) to
 * know to what. `label` is the button's accessible name where its text alone ("Remove") would not say which row.
 */
export function IntentButton({
  intent,
  fields = {},
  variant = "row",
  label,
  disabled,
  className,
  children,
}: {
  intent: string;
  fields?: Record<string, string>;
  variant?: ButtonVariant;
  label?: string;
  disabled?: boolean;
  /** Classes added to the variant's, e.g. a text size the surroundings do not give. */
  className?: string;
  children: ReactNode;
}) {
  return (
    <Form method="post">
      <input type="hidden" name="intent" value={intent} />
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <button type="submit" disabled={disabled} className={className ? `${BUTTON_CLASSES[variant]} ${className}` : BUTTON_CLASSES[variant]} aria-label={label}>
        {children}
      </button>
    </Form>
  );
}
