import { Link } from "@remix-run/react";
import type { ReactNode } from "react";

/** "Parent / this page" above a page's heading, the parent a link back. */
export function Breadcrumb({ parent, children }: { parent: { to: string; label: string }; children: ReactNode }) {
  return (
    <nav aria-label="Breadcrumb" className="text-sm text-gray-500">
      <Link to={parent.to} className="hover:underline">
        {parent.label}
      </Link>{" "}
      / {children}
    </nav>
  );
}
