import { Form, useSearchParams } from "@remix-run/react";
import type { ReactNode } from "react";
import { BUTTON_CLASSES } from "./buttons.ts";
import { Field } from "./Field.tsx";
import { repositoryChoices, Select, type Choice } from "./Select.tsx";

/** The GET form above a list: Apply reloads the page with the chosen filters in the URL. */
export function FilterForm({
  label,
  margin = "mt-4",
  apply = "secondary",
  children,
}: {
  label: string;
  margin?: "mt-4" | "mt-6";
  apply?: "primary" | "secondary";
  children: ReactNode;
}) {
  return (
    <Form method="get" className={`${margin} flex flex-wrap items-end gap-3 text-sm`} aria-label={label}>
      {children}
      <button type="submit" className={BUTTON_CLASSES[apply]}>
        Apply
      </button>
    </Form>
  );
}

/** A filter's select, showing the value the URL holds for `name`, or `fallback` when it holds none. */
export function FilterSelect({ label, name, choices, fallback = "" }: { label: string; name: string; choices: readonly Choice[]; fallback?: string }) {
  const [params] = useSearchParams();
  return (
    <Field label={label}>
      <Select name={name} defaultValue={params.get(name) ?? fallback} choices={choices} />
    </Field>
  );
}

/** The "Repository" filter every list has: all of them, or one of the organisation's. */
export function RepositoryFilter({ repositories }: { repositories: ReadonlyArray<{ id: string; fullName: string }> }) {
  return <FilterSelect label="Repository" name="repo" choices={[["", "All repositories"], ...repositoryChoices(repositories)]} />;
}
