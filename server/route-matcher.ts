import type { ServerBuild } from "@remix-run/node";
import { matchRoutes } from "@remix-run/react";

/** The Remix route a URL reaches: its id (`routes/repos.$repoId`) and its pattern (`/repos/:repoId`). */
export interface MatchedRoute {
  id: string;
  pattern: string;
}

interface RouteNode {
  id: string;
  path?: string;
  index?: boolean;
  caseSensitive?: boolean;
  children?: RouteNode[];
}

/** Remix's own endpoint for lazy route discovery (future.v3_lazyRouteDiscovery). */
const MANIFEST_PATH = "/__manifest";

/**
 * Matches paths against the build's routes with the router Remix itself uses, so metrics and rate limits name a
 * request by the route that answers it — a bounded set — and not by its URL, which a client picks freely.
 * Single-fetch data requests (`/repos/1.data`, `/_root.data`) name the route whose data they load.
 */
export function createRouteMatcher(routes: ServerBuild["routes"]): (pathname: string) => MatchedRoute | null {
  const tree = routeTree(routes);
  return (pathname) => {
    if (pathname === MANIFEST_PATH) return { id: "__manifest", pattern: MANIFEST_PATH };
    const documentPath = pathname === "/_root.data" ? "/" : pathname.endsWith(".data") ? pathname.slice(0, -".data".length) : pathname;
    // The route objects are plain data; matchRoutes reads only id, path, index, caseSensitive and children.
    const matches = matchRoutes(tree as Parameters<typeof matchRoutes>[0], documentPath);
    const deepest = matches?.at(-1);
    if (!deepest) return null;
    const segments = matches!.map((match) => match.route.path).filter((path): path is string => Boolean(path));
    return { id: deepest.route.id!, pattern: `/${segments.join("/")}` };
  };
}

function routeTree(routes: ServerBuild["routes"]): RouteNode[] {
  const childrenOf = new Map<string | undefined, RouteNode[]>();
  const nodes = new Map<string, RouteNode>();
  for (const route of Object.values(routes)) {
    const node: RouteNode = { id: route.id, path: route.path, index: route.index, caseSensitive: route.caseSensitive };
    nodes.set(route.id, node);
    const siblings = childrenOf.get(route.parentId) ?? [];
    siblings.push(node);
    childrenOf.set(route.parentId, siblings);
  }
  for (const [id, node] of nodes) {
    const children = childrenOf.get(id);
    if (children && !node.index) node.children = children;
  }
  return childrenOf.get(undefined) ?? [];
}
