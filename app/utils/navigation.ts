/** A link of a navigation bar: where it goes and what it says. */
export type NavItem = { readonly to: string; readonly label: string };

/** The settings pages, in the order of their tabs. */
export const SETTINGS_TABS = [
  { to: "/settings/api-keys", label: "API keys" },
  { to: "/settings/risk", label: "Risk paths" },
  { to: "/settings/channels", label: "Notification channels" },
  { to: "/settings/alerts", label: "Alert rules" },
  { to: "/settings/members", label: "Members" },
  { to: "/settings/teams", label: "Teams" },
  { to: "/settings/queues", label: "Queues" },
] as const satisfies readonly NavItem[];

/** The header's sections; Settings opens on the first settings tab. */
export const MAIN_SECTIONS: readonly NavItem[] = [
  { to: "/dashboard", label: "Overview" },
  { to: "/events", label: "Events" },
  { to: "/pulls", label: "Pull requests" },
  { to: "/teams", label: "Teams" },
  { to: "/incidents", label: "Incidents" },
  { to: "/alerts", label: "Alerts" },
  { to: SETTINGS_TABS[0].to, label: "Settings" },
];
