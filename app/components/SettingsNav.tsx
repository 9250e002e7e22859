import { NavLink } from "@remix-run/react";

const ITEMS = [
  { to: "/settings/api-keys", label: "API keys" },
  { to: "/settings/risk", label: "Risk paths" },
  { to: "/settings/channels", label: "Notification channels" },
  { to: "/settings/alerts", label: "Alert rules" },
  { to: "/settings/members", label: "Members" },
  { to: "/settings/queues", label: "Queues" },
];

export function SettingsNav() {
  return (
    <nav aria-label="Settings" className="mt-2 flex gap-4 border-b border-gray-200 text-sm">
      {ITEMS.map((item) => (
        <NavLink
          key={item.to}
          to={item.to}
          className={({ isActive }) => `-mb-px border-b-2 py-2 ${isActive ? "border-gray-900 font-medium text-gray-900" : "border-transparent text-gray-600 hover:text-gray-900"}`}
        >
          {item.label}
        </NavLink>
      ))}
    </nav>
  );
}
