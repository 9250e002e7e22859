import { AppShell, type ShellProps } from "../AppShell.tsx";
import { SettingsNav } from "../SettingsNav.tsx";

/** Every settings page: the shell, the "Settings" heading and the tabs between the settings pages. */
export function SettingsPage({ user, org, children }: ShellProps) {
  return (
    <AppShell user={user} org={org}>
      <h1 className="text-2xl font-semibold tracking-tight">Settings</h1>
      <SettingsNav />
      {children}
    </AppShell>
  );
}
