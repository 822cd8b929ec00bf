const DEFAULT_PORTS: Readonly<Record<string, string>> = { "http:": "80", "https:": "443" };

/**
 * The host a callback URL reaches, as the sender's per-host cap counts it: the lower-cased host name and the
 * port the connection goes to, default port spelled out (`example.com:443`), so that the http and https servers
 * of one name, which are different listeners, count apart, and `Example.com` and `example.com:443` count as one.
 * A URL that does not parse (callback URLs are vetted at submission, so none should) counts as its own text.
 *
 * @example
 * targetHost("https://Hooks.Example.com/cb?x=1"); // "hooks.example.com:443"
 * targetHost("http://[::1]:8080/cb"); // "[::1]:8080"
 */
export function targetHost(url: string): string {
  if (!URL.canParse(url)) return url.toLowerCase();
  const u = new URL(url);
  return `${u.hostname.toLowerCase()}:${u.port || DEFAULT_PORTS[u.protocol] || ""}`;
}
