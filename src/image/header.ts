/**
 * An ordered FITS-style header: the metadata of an Exposure, an Image or a Catalog, and what the
 * FITS codec reads and writes. Order and duplicates (COMMENT, HISTORY) are kept.
 *
 * @packageDocumentation
 */

/** A complex header value (FITS `(re, im)`). */
export interface Complex {
  re: number;
  im: number;
}

/**
 * A header value. `null` is FITS's "undefined value" (a keyword with no value). Integers beyond
 * 2^53 are `bigint`. For commentary cards (COMMENT, HISTORY, blank keyword) it is the text.
 */
export type HeaderValue = string | number | bigint | boolean | null | Complex;

/** One header card. */
export interface HeaderCard {
  /** Upper-case keyword; may be longer than 8 characters (HIERARCH) or empty (blank card). */
  keyword: string;
  /** The value, or the text of a commentary card. */
  value: HeaderValue;
  /** The comment after ` / `, if any. */
  comment?: string;
  /**
   * The card images this card was parsed from (80 characters each, several with CONTINUE).
   * A writer reuses them verbatim while the card is unchanged, so unchanged cards round-trip
   * byte-exactly; {@link Header.set} clears it.
   */
  raw?: string;
}

const COMMENTARY = new Set(["COMMENT", "HISTORY", ""]);

/** Whether a keyword is a commentary keyword (COMMENT, HISTORY, blank) that may repeat. */
export function isCommentary(keyword: string): boolean {
  return COMMENTARY.has(keyword);
}

/**
 * An ordered list of header cards with keyword access.
 *
 * ```ts
 * const h = new Header();
 * h.set("FILTER", "g", "filter name");
 * h.add({ keyword: "HISTORY", value: "flat-fielded" });
 * h.get("FILTER");   // "g"
 * ```
 */
export class Header {
  readonly #cards: HeaderCard[] = [];

  /** @param cards - initial cards, in order (copied) */
  constructor(cards: Iterable<HeaderCard> = []) {
    for (const card of cards) this.#cards.push({ ...card, keyword: card.keyword.toUpperCase() });
  }

  /** Builds a header from a plain object (insertion order). */
  static fromObject(values: Record<string, HeaderValue>): Header {
    const h = new Header();
    for (const [k, v] of Object.entries(values)) h.set(k, v);
    return h;
  }

  /** The cards in order (read-only view; use the methods to change them). */
  get cards(): readonly HeaderCard[] {
    return this.#cards;
  }

  /** Number of cards. */
  get length(): number {
    return this.#cards.length;
  }

  /** The value of the first card with this keyword, or `undefined` when absent. */
  get(keyword: string): HeaderValue | undefined {
    return this.card(keyword)?.value;
  }

  /** The first card with this keyword. */
  card(keyword: string): HeaderCard | undefined {
    const key = keyword.toUpperCase();
    return this.#cards.find((c) => c.keyword === key);
  }

  /** Whether a card with this keyword exists. */
  has(keyword: string): boolean {
    return this.card(keyword) !== undefined;
  }

  /**
   * Sets a keyword's value: replaces the first card with it (keeping its place and, when no new
   * comment is given, its comment) or appends a new card. For commentary keywords it appends.
   */
  set(keyword: string, value: HeaderValue, comment?: string): this {
    const key = keyword.toUpperCase();
    if (isCommentary(key)) return this.add({ keyword: key, value, comment });
    const index = this.#cards.findIndex((c) => c.keyword === key);
    if (index < 0) {
      this.#cards.push(comment === undefined ? { keyword: key, value } : { keyword: key, value, comment });
    } else {
      const old = this.#cards[index]!;
      const next: HeaderCard = { keyword: key, value };
      const keptComment = comment ?? old.comment;
      if (keptComment !== undefined) next.comment = keptComment;
      this.#cards[index] = next;
    }
    return this;
  }

  /** Appends a card, allowing duplicates (COMMENT, HISTORY). */
  add(card: HeaderCard): this {
    this.#cards.push({ ...card, keyword: card.keyword.toUpperCase() });
    return this;
  }

  /** Removes every card with this keyword; returns how many were removed. */
  delete(keyword: string): number {
    const key = keyword.toUpperCase();
    let removed = 0;
    for (let i = this.#cards.length - 1; i >= 0; i--) {
      if (this.#cards[i]!.keyword === key) {
        this.#cards.splice(i, 1);
        removed++;
      }
    }
    return removed;
  }

  /** Distinct non-commentary keywords, in order. */
  keys(): string[] {
    const seen = new Set<string>();
    for (const c of this.#cards) if (!isCommentary(c.keyword)) seen.add(c.keyword);
    return [...seen];
  }

  /** Values of non-commentary keywords as a plain object (first occurrence wins). */
  toObject(): Record<string, HeaderValue> {
    const out: Record<string, HeaderValue> = {};
    for (const c of this.#cards) if (!isCommentary(c.keyword) && !(c.keyword in out)) out[c.keyword] = c.value;
    return out;
  }

  /** A deep copy. */
  clone(): Header {
    return new Header(this.#cards.map((c) => ({ ...c })));
  }
}
