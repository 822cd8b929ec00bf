import { signal } from "@preact/signals";

/** The page the fragment names: `#/tasks`, `#/tasks/ID`, `#/upload`, `#/voices`, `#/receivers`, `#/keys`. */
export const route = signal(readRoute());

function readRoute(): string[] {
  const path = window.location.hash.replace(/^#\/?/, "");
  return path.split("/").filter(Boolean).map(decodeURIComponent);
}

window.addEventListener("hashchange", () => {
  route.value = readRoute();
});

export function go(path: string): void {
  window.location.hash = `#/${path}`;
}
