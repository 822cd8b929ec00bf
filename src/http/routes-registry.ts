/**
 * Remembers every route's path pattern so that a request to a known path with the wrong method can be told
 * apart from an unknown path (spec 13: HTTP 405 vs 404, both with envelope code 404).
 */
export class RouteRegistry {
  #patterns: RegExp[] = [];

  add(url: string): void {
    const source = url
      .split("/")
      .map((part) =>
        part.startsWith(":") ? "[^/]+" : part === "*" ? ".*" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
      )
      .join("/");
    this.#patterns.push(new RegExp(`^${source}/?$`));
  }

  /** True when some route serves this path (with some method). */
  knows(path: string): boolean {
    return this.#patterns.some((p) => p.test(path));
  }
}
