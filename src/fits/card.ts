/**
 * One header card ⇄ its 80-column card image(s): keyword, value indicator, value, comment;
 * commentary cards; HIERARCH keywords; long strings continued on CONTINUE cards.
 *
 * @packageDocumentation
 */
import { isCommentary, type HeaderCard, type HeaderValue } from "../image/header.js";
import { FitsError } from "../errors.js";
import { escapeString, formatScalar, parseValueField, valuesEqual } from "./card-value.js";

/** Length of one card image. */
export const CARD_LENGTH = 80;

/** Keywords that fit the fixed 8-column field; anything else is written as HIERARCH. */
const STANDARD_KEYWORD = /^[A-Z0-9_-]{1,8}$/;
const HIERARCH_PREFIX = "HIERARCH ";
/** `CONTINUE  '` + `&'`: what each continuation card spends around its piece of string. */
const CONTINUE_CAPACITY = CARD_LENGTH - 10 - 3;
/** Room for a comment on a `CONTINUE  '&' / ` card. */
const COMMENT_CAPACITY = CARD_LENGTH - "CONTINUE  '&' / ".length;

/** One parsed card image, before CONTINUE cards are joined. */
interface CardImage {
  keyword: string;
  value: HeaderValue;
  comment?: string;
  /** A quoted string value: candidates for a CONTINUE chain. */
  quoted: boolean;
}

/**
 * Parses a single 80-character card image. Lenient by design: an unparsable value is kept as its
 * raw text (the caller checks structural keywords itself), so damaged non-structural cards do not
 * make a file unreadable.
 */
export function parseCardImage(image: string): CardImage {
  const head = image.slice(0, 8);
  if (head === "HIERARCH" && image[8] === " ") {
    const eq = image.indexOf("=", 9);
    if (eq > 9) {
      const field = parseValueField(image.slice(eq + 1));
      return withComment({ keyword: image.slice(9, eq).trim().toUpperCase(), value: field.value, quoted: field.quoted }, field.comment);
    }
  }
  const keyword = head.trimEnd().toUpperCase();
  if (isCommentary(keyword)) return { keyword, value: image.slice(8).trimEnd(), quoted: false };
  if (keyword === "CONTINUE") {
    const field = parseValueField(image.slice(8));
    return withComment({ keyword, value: field.value, quoted: field.quoted }, field.comment);
  }
  // The standard's value indicator is "= " in columns 9-10; a non-blank column 10 is accepted too,
  // as astropy does, rather than turning the value into commentary.
  if (image[8] === "=") {
    const field = parseValueField(image.slice(9));
    return withComment({ keyword, value: field.value, quoted: field.quoted }, field.comment);
  }
  // A keyword without a value indicator: its columns 9–80 are commentary (FITS 4.0 §4.1.2.2).
  const text = image.slice(8).trim();
  return withComment({ keyword, value: null, quoted: false }, text === "" ? undefined : text);
}

function withComment(card: CardImage, comment: string | undefined): CardImage {
  if (comment !== undefined) card.comment = comment;
  return card;
}

/**
 * Parses a sequence of card images (END excluded) into header cards, joining a string that ends in
 * `&` with the CONTINUE cards after it (the OGIP long-string convention, FITS 4.0 §4.2.1.2).
 * Each card keeps its image(s) in `raw`. Comments of the pieces are joined with a space, as astropy
 * does.
 *
 * @returns the cards, and for each card the index of its first image
 */
export function parseCardImages(images: readonly string[]): { cards: HeaderCard[]; starts: number[] } {
  const cards: HeaderCard[] = [];
  const starts: number[] = [];
  for (let i = 0; i < images.length; ) {
    const first = parseCardImage(images[i]!);
    let j = i + 1;
    let value = first.value;
    const comments: string[] = first.comment === undefined ? [] : [first.comment];
    if (first.quoted && first.keyword !== "CONTINUE" && (value as string).endsWith("&") && isContinue(images[j])) {
      value = (value as string).slice(0, -1);
      while (isContinue(images[j])) {
        const piece = parseCardImage(images[j]!);
        if (!piece.quoted) break;
        j++;
        if (piece.comment) comments.push(piece.comment);
        const text = piece.value as string;
        // A final '&' with no CONTINUE after it is part of the value (astropy drops it; we keep it).
        if (text.endsWith("&") && isContinue(images[j])) {
          value += text.slice(0, -1);
        } else {
          value += text;
          break;
        }
      }
    }
    const card: HeaderCard = { keyword: first.keyword, value, raw: images.slice(i, j).join("") };
    const comment = j === i + 1 ? first.comment : comments.filter((c) => c !== "").join(" ");
    if (comment !== undefined && (j === i + 1 || comment !== "")) card.comment = comment;
    cards.push(card);
    starts.push(i);
    i = j;
  }
  return { cards, starts };
}

function isContinue(image: string | undefined): boolean {
  return image !== undefined && image.startsWith("CONTINUE") && image[8] === " ";
}

/**
 * Whether a card's `raw` images still describe it exactly, so they can be written back verbatim
 * (byte-exact round trip of cards nobody changed, whatever their original formatting).
 */
export function rawIsCurrent(card: HeaderCard): boolean {
  const raw = card.raw;
  if (raw === undefined || raw.length === 0 || raw.length % CARD_LENGTH !== 0 || !isPrintableAscii(raw)) return false;
  const images: string[] = [];
  for (let i = 0; i < raw.length; i += CARD_LENGTH) images.push(raw.slice(i, i + CARD_LENGTH));
  const { cards } = parseCardImages(images);
  if (cards.length !== 1) return false;
  const parsed = cards[0]!;
  return (
    parsed.keyword === normalizeKeyword(card.keyword) &&
    valuesEqual(parsed.value, card.value) &&
    (parsed.comment ?? "") === (card.comment ?? "")
  );
}

/** Upper-cases a keyword and drops an explicit `HIERARCH ` prefix (HIERARCH keys are stored without it). */
export function normalizeKeyword(keyword: string): string {
  const upper = keyword.toUpperCase().trim();
  return upper.startsWith(HIERARCH_PREFIX) ? upper.slice(HIERARCH_PREFIX.length).trim() : upper;
}

/** Whether every character is printable ASCII (0x20–0x7E), the only characters a header may hold. */
export function isPrintableAscii(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text);
}

/**
 * Formats a card as one or more 80-character card images. An unchanged parsed card is written from
 * `raw`. Numbers and logicals are right-justified in columns 11–30, strings start in column 11,
 * keywords that do not fit the 8-column field use HIERARCH, strings too long for one card continue
 * on CONTINUE cards, commentary text longer than 72 characters is split over several cards, and a
 * comment that does not fit is truncated (as astropy and CFITSIO do).
 *
 * @throws FitsError when the card cannot be written: non-ASCII text, a non-finite number, a keyword
 *   too long even for HIERARCH, or a value that does not fit
 */
export function formatCard(card: HeaderCard): string {
  if (rawIsCurrent(card)) return card.raw!;
  const keyword = normalizeKeyword(card.keyword);
  let text: string;
  if (isCommentary(keyword)) text = formatCommentary(keyword, card.value);
  else text = formatValueCard(keyword, card.value, card.comment);
  if (!isPrintableAscii(text)) {
    throw new FitsError(`header card ${JSON.stringify(keyword)} contains characters other than printable ASCII`);
  }
  return text;
}

function formatCommentary(keyword: string, value: HeaderValue): string {
  const text = typeof value === "string" ? value : formatScalar(value);
  const width = CARD_LENGTH - 8;
  let out = "";
  let i = 0;
  do {
    out += (keyword.padEnd(8) + text.slice(i, i + width)).padEnd(CARD_LENGTH);
    i += width;
  } while (i < text.length);
  return out;
}

function formatValueCard(keyword: string, value: HeaderValue, comment: string | undefined): string {
  const hierarch = !STANDARD_KEYWORD.test(keyword);
  if (hierarch && (keyword.includes("=") || keyword === "")) {
    throw new FitsError(`header keyword ${JSON.stringify(keyword)} cannot be written`);
  }
  const prefix = hierarch ? `${HIERARCH_PREFIX}${keyword} = ` : `${keyword.padEnd(8)}= `;
  if (typeof value === "string") return formatStringCard(prefix, hierarch, value, comment);
  const text = formatScalar(value);
  const line = prefix + (hierarch ? text : text.padStart(20));
  if (line.length > CARD_LENGTH) throw new FitsError(`header card ${keyword} = ${text} does not fit in 80 columns`);
  return withTruncatedComment(line, comment);
}

function withTruncatedComment(line: string, comment: string | undefined): string {
  if (comment === undefined || line.length + 3 > CARD_LENGTH) return line.padEnd(CARD_LENGTH);
  return `${line} / ${comment}`.slice(0, CARD_LENGTH).padEnd(CARD_LENGTH);
}

function formatStringCard(prefix: string, hierarch: boolean, value: string, comment: string | undefined): string {
  const escaped = escapeString(value);
  // '' is the null string; anything else is padded to 8 characters inside the quotes (§4.2.1.1).
  const quoted = escaped === "" ? "''" : `'${escaped.padEnd(8)}'`;
  if (prefix.length + quoted.length <= CARD_LENGTH) {
    return withTruncatedComment(prefix + (hierarch ? quoted : quoted.padEnd(20)), comment);
  }
  return formatLongString(prefix, escaped, comment);
}

/** Splits an escaped string into pieces of at most `first`, then `rest`, characters, never inside `''`. */
function splitEscaped(escaped: string, first: number, rest: number): string[] {
  const pieces: string[] = [];
  let current = "";
  let capacity = first;
  for (let i = 0; i < escaped.length; ) {
    const unit = escaped[i] === "'" ? "''" : escaped[i]!;
    if (current.length + unit.length > capacity) {
      pieces.push(current);
      current = "";
      capacity = rest;
    }
    current += unit;
    i += unit.length;
  }
  pieces.push(current);
  return pieces;
}

function formatLongString(prefix: string, escaped: string, comment: string | undefined): string {
  const firstCapacity = CARD_LENGTH - prefix.length - 3;
  if (firstCapacity < 2) throw new FitsError(`header keyword in ${JSON.stringify(prefix)} is too long for a string value`);
  const pieces = splitEscaped(escaped, firstCapacity, CONTINUE_CAPACITY);
  const lines = pieces.map((piece, i) => `${i === 0 ? prefix : "CONTINUE  "}'${piece}&'`);
  const last = lines.length - 1;
  const closed = `${lines[last]!.slice(0, -2)}'`;
  if (comment === undefined || comment === "") {
    lines[last] = closed;
  } else if (closed.length + 3 + comment.length <= CARD_LENGTH) {
    lines[last] = `${closed} / ${comment}`;
  } else {
    // The comment goes on its own CONTINUE cards, split at spaces (readers join pieces with one).
    const parts = splitComment(comment, COMMENT_CAPACITY);
    parts.forEach((part, i) => lines.push(`CONTINUE  '${i === parts.length - 1 ? "" : "&"}' / ${part}`));
  }
  return lines.map((l) => l.padEnd(CARD_LENGTH)).join("");
}

function splitComment(comment: string, capacity: number): string[] {
  const parts: string[] = [];
  let rest = comment;
  while (rest.length > capacity) {
    const cut = rest.lastIndexOf(" ", capacity);
    if (cut <= 0) {
      parts.push(rest.slice(0, capacity));
      rest = rest.slice(capacity);
    } else {
      parts.push(rest.slice(0, cut));
      rest = rest.slice(cut + 1);
    }
  }
  parts.push(rest);
  return parts;
}

/** Whether writing this card needs the long-string convention (so the header should declare LONGSTRN). */
export function needsContinue(card: HeaderCard): boolean {
  return formatCard(card).length > CARD_LENGTH && !isCommentary(normalizeKeyword(card.keyword));
}
