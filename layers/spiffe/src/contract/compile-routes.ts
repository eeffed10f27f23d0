import { ADMIN_ROUTES } from "./admin-routes.js";
import { ISSUE_ROUTES } from "./issue-routes.js";
import { JOIN_ROUTES } from "./join-routes.js";
import { routeKeyOf, type RouteDescriptor } from "./route-descriptor.js";

/** Every route of the API: join, issue, admin. */
export const API_ROUTES: readonly RouteDescriptor[] = [...JOIN_ROUTES, ...ISSUE_ROUTES, ...ADMIN_ROUTES];

/** A route found for a method and a path, with its decoded path parameters. */
export interface RouteMatch<R> {
  route: R;
  params: Record<string, string>;
}

/** Routes looked up by API Gateway route key (Lambda) or by method and path (`tessera dev`). */
export interface CompiledRoutes<R> {
  byKey(routeKey: string): R | undefined;
  match(method: string, path: string): RouteMatch<R> | undefined;
}

interface Pattern<R> {
  method: string;
  regex: RegExp;
  names: string[];
  route: R;
}

function patternOf<R>(descriptor: Pick<RouteDescriptor, "method" | "path">, route: R): Pattern<R> {
  const names: string[] = [];
  const source = descriptor.path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{([a-z_]+)\}/g, (_m, name: string) => {
    names.push(name);
    return "([^/]+)";
  });
  return { method: descriptor.method, regex: new RegExp(`^${source}$`), names, route };
}

function decodeParams(names: string[], values: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  try {
    names.forEach((name, i) => {
      params[name] = decodeURIComponent(values[i] as string);
    });
  } catch {
    return undefined;
  }
  return params;
}

/** Compile routes once: a map by route key and one anchored pattern per path. */
export function compileRoutes<R>(
  routes: readonly R[],
  descriptorOf: (route: R) => Pick<RouteDescriptor, "method" | "path">,
): CompiledRoutes<R> {
  const byKey = new Map(routes.map((route) => [routeKeyOf(descriptorOf(route)), route]));
  const patterns = routes.map((route) => patternOf(descriptorOf(route), route));
  return {
    byKey: (routeKey) => byKey.get(routeKey),
    match: (method, path) => {
      for (const pattern of patterns) {
        if (pattern.method !== method) continue;
        const found = pattern.regex.exec(path);
        if (!found) continue;
        const params = decodeParams(pattern.names, found.slice(1));
        return params ? { route: pattern.route, params } : undefined;
      }
      return undefined;
    },
  };
}
