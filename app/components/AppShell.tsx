import { Form, Link, NavLink, useLocation } from "@remix-run/react";
import { MAIN_SECTIONS, type NavItem } from "~/utils/navigation.ts";

export interface ShellProps {
  user: { login: string; name: string | null; avatarUrl: string | null };
  /** `switchable` lists the user's organisations when there is more than one (see shellOf). */
  org: { id?: string; name: string; isDemo: boolean; switchable?: { id: string; name: string }[] } | null;
  children: React.ReactNode;
}

export function AppShell({ user, org, children }: ShellProps) {
  return (
    <div className="min-h-full">
      <header className="border-b border-gray-200 bg-white">
        <div className="mx-auto flex max-w-6xl items-center justify-between px-6 py-3">
          <div className="flex items-center gap-6">
            <Link to="/dashboard" className="text-lg font-semibold tracking-tight">
              Sentinel
            </Link>
            {org?.id && org.switchable && org.switchable.length > 1 ? (
              <OrganizationSwitcher current={org.id} organizations={org.switchable} />
            ) : org ? (
              <span className="text-sm text-gray-500">{org.name}</span>
            ) : null}
            {org ? (
              <NavLinks
                label="Main"
                className="flex gap-4 text-sm"
                items={MAIN_SECTIONS}
                linkClass={(isActive) => (isActive ? "font-medium text-gray-900" : "text-gray-500 hover:text-gray-900")}
              />
            ) : null}
          </div>
          <div className="flex items-center gap-4 text-sm text-gray-600">
            <span>{user.name ?? user.login}</span>
            <Form method="post" action="/logout">
              <button type="submit" className="text-gray-500 hover:text-gray-900">
                Sign out
              </button>
            </Form>
          </div>
        </div>
      </header>
      {org?.isDemo ? <DemoBanner /> : null}
      <main className="mx-auto max-w-6xl px-6 py-8">{children}</main>
    </div>
  );
}

/** A labelled bar of links; `linkClass(true)` styles the link to the page shown. */
export function NavLinks({ label, className, items, linkClass }: { label: string; className: string; items: readonly NavItem[]; linkClass: (isActive: boolean) => string }) {
  return (
    <nav aria-label={label} className={className}>
      {items.map((item) => (
        <NavLink key={item.to} to={item.to} className={({ isActive }) => linkClass(isActive)}>
          {item.label}
        </NavLink>
      ))}
    </nav>
  );
}

/** A plain form (works without JavaScript); the server checks the membership and keeps the choice in the session. */
function OrganizationSwitcher({ current, organizations }: { current: string; organizations: { id: string; name: string }[] }) {
  const location = useLocation();
  return (
    <Form method="post" action="/org/switch" className="flex items-center gap-2 text-sm" aria-label="Switch organisation">
      <label htmlFor="org-switcher" className="sr-only">
        Organisation
      </label>
      <select id="org-switcher" name="orgId" defaultValue={current} key={current} className="rounded-md border-gray-300 py-1 text-sm text-gray-700">
        {organizations.map((organization) => (
          <option key={organization.id} value={organization.id}>
            {organization.name}
          </option>
        ))}
      </select>
      <input type="hidden" name="redirectTo" value={location.pathname} />
      <button type="submit" className="rounded-md border border-gray-300 px-2 py-1 text-gray-700 hover:bg-gray-50">
        Switch
      </button>
    </Form>
  );
}

export function DemoBanner() {
  return (
    <div role="note" aria-label="Demo data" className="border-b border-amber-200 bg-amber-50">
      <p className="mx-auto max-w-6xl px-6 py-2 text-sm text-amber-900">
        <strong>Demo data.</strong> You are looking at a generated organisation with 90 days of activity, analysed by
        the same pipeline as live data. To see your own repositories, register the GitHub App (see the README,
        &ldquo;Connect GitHub&rdquo;) or import a local clone with <code>npx sentinel import</code>.
      </p>
    </div>
  );
}
