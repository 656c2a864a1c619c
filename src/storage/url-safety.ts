/**
 * What makes a URL safe to send a secret to, and to show: a password inside a URL
 * (`http://user:secret@host/…`) is never used and never shown — such a URL is cut to
 * `scheme://host…` before it goes anywhere a message could show it — and a credential travels in
 * clear text only to this machine.
 *
 * @packageDocumentation
 */

const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i;

/** Whether a URL carries `user[:password]@` before its host. */
export function hasUserinfo(url: string): boolean {
  return USERINFO.test(url);
}

/** The URL without `user[:password]@` (unchanged when it has none). */
export function withoutUserinfo(url: string): string {
  return url.replace(USERINFO, "$1");
}

/**
 * Whether a secret may be sent to this URL without encryption worries: https, or http to this
 * machine (localhost, 127.0.0.0/8, ::1). A URL that does not parse is not.
 */
export function isSecureTransport(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === "https:") return true;
  const host = parsed.hostname.replace(/^\[|\]$/g, "");
  return parsed.protocol === "http:" && (host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host));
}
