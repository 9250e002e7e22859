import { SETTINGS_TABS } from "~/utils/navigation.ts";
import { NavLinks } from "./AppShell.tsx";

export function SettingsNav() {
  return (
    <NavLinks
      label="Settings"
      className="mt-2 flex gap-4 border-b border-gray-200 text-sm"
      items={SETTINGS_TABS}
      linkClass={(isActive) => `-mb-px border-b-2 py-2 ${isActive ? "border-gray-900 font-medium text-gray-900" : "border-transparent text-gray-600 hover:text-gray-900"}`}
    />
  );
}
