/**
 * Names of the temp files that pending writes keep beside their destination.
 *
 * They are hidden (leading `.`), carry the destination's name for whoever finds one left by a
 * crashed writer, a fixed-format random part so that listings can recognise and skip them, and
 * their writer — a tag of its host name and its PID — so that a sweep can tell a killed writer's
 * file from a live one's (older names without the owner are recognised too).
 *
 * @packageDocumentation
 */
import { createHash, randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { InvalidKeyError } from "../../errors.js";

const TEMP_NAME = /^\..*\.[0-9a-f]{16}(?:\.([0-9a-f]{8})-(\d{1,10}))?\.tmp/s;
const SUFFIX = /^[A-Za-z0-9._+-]{0,64}$/;
/** Bytes of the destination name kept in the temp name: the whole temp name must fit NAME_MAX (255). */
const NAME_BYTES = 140;

/** This host's tag in temp names: 8 hex digits of the SHA-256 of its host name. */
export const HOST_TAG = createHash("sha256").update(hostname()).digest("hex").slice(0, 8);

/**
 * A fresh temp file name for a destination file name: `.<name>.<16 hex>.<host tag>-<pid>.tmp<suffix>`.
 * The suffix goes last so that tools which pick a format from the extension (`.fits`, `.fits.gz`)
 * see the one the caller asked for.
 * @throws InvalidKeyError when the suffix holds anything but letters, digits and `._+-`
 */
export function tempNameFor(name: string, key: string, suffix = ""): string {
  if (!SUFFIX.test(suffix)) throw new InvalidKeyError(key, `temp file suffix ${JSON.stringify(suffix)} may only hold letters, digits and "._+-"`);
  return `.${truncateUtf8(name, NAME_BYTES)}.${randomHex16()}.${HOST_TAG}-${process.pid}.tmp${suffix}`;
}

/** The writer a temp name records (host tag and PID), or undefined for a name without one. */
export function tempOwner(name: string): { host: string; pid: number } | undefined {
  const match = TEMP_NAME.exec(name);
  return match?.[1] === undefined ? undefined : { host: match[1], pid: Number(match[2]) };
}

/**
 * 16 random hex digits (60 random bits: the UUID's version digit is fixed). `randomUUID` draws from
 * a cached entropy pool, where `randomBytes(8)` asked the kernel on every small put.
 */
function randomHex16(): string {
  const uuid = randomUUID(); // xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx
  return uuid.slice(0, 8) + uuid.slice(9, 13) + uuid.slice(14, 18);
}

/** Whether a directory entry is a pending write's temp file (never listed as an object). */
export function isTempName(name: string): boolean {
  return TEMP_NAME.test(name);
}

/** The longest prefix of `s` whose UTF-8 encoding fits `maxBytes`, cut between code points. */
function truncateUtf8(s: string, maxBytes: number): string {
  if (Buffer.byteLength(s) <= maxBytes) return s;
  let bytes = 0;
  let out = "";
  for (const ch of s) {
    bytes += Buffer.byteLength(ch);
    if (bytes > maxBytes) break;
    out += ch;
  }
  return out;
}
