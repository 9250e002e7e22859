import { Link } from "@remix-run/react";

/** Breadcrumb, name and the window the page's figures cover. */
export function RepositoryHeader({ fullName, windowDays }: { fullName: string; windowDays: number }) {
  return (
    <>
      <nav aria-label="Breadcrumb" className="text-sm text-gray-500">
        <Link to="/dashboard" className="hover:underline">
          Repositories
        </Link>{" "}
        / {fullName}
      </nav>
      <h1 className="mt-1 text-2xl font-semibold tracking-tight">
        {fullName}
      </h1>
      <p className="mt-1 text-sm text-gray-500">
        Last {windowDays} days
      </p>
    </>
  );
}
