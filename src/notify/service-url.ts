/**
 * `path` under a configured service URL. The base may end in a slash or carry a path prefix (a self-hosted server
 * behind a reverse proxy, Server酱³'s `https://{uid}.push.ft07.com/send`); either way one slash separates them.
 */
export function serviceUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path}`;
}
