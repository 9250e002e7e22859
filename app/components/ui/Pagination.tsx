import { Link } from "@remix-run/react";

/** "Newer · Page 2 of 5 · Older" under a paged list; nothing when everything fits on one page. */
export function Pagination({ label, page, pageCount, hrefOf }: { label: string; page: number; pageCount: number; hrefOf: (page: number) => string }) {
  if (pageCount <= 1) return null;
  return (
    <nav aria-label={label} className="mt-4 flex items-center gap-4 text-sm">
      {page > 1 ? (
        <Link to={hrefOf(page - 1)} className="text-blue-700 underline">
          Newer
        </Link>
      ) : null}
      <span className="text-gray-600">
        Page {page} of {pageCount}
      </span>
      {page < pageCount ? (
        <Link to={hrefOf(page + 1)} className="text-blue-700 underline">
          Older
        </Link>
      ) : null}
    </nav>
  );
}
