/** The file page of `path` in a repository: the path travels as a query parameter, encoded, slashes and all. */
export function filePageLink(repoId: string, path: string, days?: number): string {
  const query = new URLSearchParams({ path });
  if (days !== undefined) query.set("days", String(days));
  return `/repos/${repoId}/files?${query.toString()}`;
}
