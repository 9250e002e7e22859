import type { ComponentProps } from "react";

/** An option of a select: the value alone when it is also the label, else [value, label]. */
export type Choice = string | readonly [value: string, label: string];

export const INPUT_CLASS = "rounded-md border-gray-300 text-sm";

/** A select whose options are `choices`, styled like the other form controls unless given its own classes. */
export function Select({ choices, className = INPUT_CLASS, ...props }: { choices: readonly Choice[] } & Omit<ComponentProps<"select">, "children">) {
  return (
    <select className={className} {...props}>
      {choices.map((choice) => {
        const [value, label] = typeof choice === "string" ? [choice, choice] : choice;
        return (
          <option key={value} value={value}>
            {label}
          </option>
        );
      })}
    </select>
  );
}

/** The organisation's repositories as choices, named by their full name. */
export function repositoryChoices(repositories: ReadonlyArray<{ id: string; fullName: string }>): Choice[] {
  return repositories.map((repo) => [repo.id, repo.fullName]);
}
