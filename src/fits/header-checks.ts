/**
 * Typed access to a parsed header's keywords that reports bad values as FitsError at the card's
 * byte offset: the one place that turns "the header says so" into numbers the reader trusts.
 *
 * @packageDocumentation
 */
import type { Header, HeaderValue } from "../image/header.js";
import { FitsError } from "../errors.js";
import type { ParsedHeader } from "./header-io.js";

/** Options of {@link HeaderChecks.integer}. */
export interface IntegerOptions {
  min?: number;
  max?: number;
  /** Returned when the keyword is absent; when undefined, absence is an error. */
  fallback?: number;
}

/** Checked keyword reads for one HDU's header. */
export class HeaderChecks {
  readonly #header: Header;
  readonly #offsets = new Map<string, number>();
  readonly #headerOffset: number;

  /** @param parsed - the header and its card offsets; @param hdu - its index, for errors */
  constructor(parsed: ParsedHeader, readonly hdu: number) {
    this.#header = parsed.header;
    this.#headerOffset = parsed.headerOffset;
    parsed.header.cards.forEach((card, i) => {
      if (!this.#offsets.has(card.keyword)) this.#offsets.set(card.keyword, parsed.cardOffsets[i]!);
    });
  }

  /** Byte offset of a keyword's card, or of the header when absent. */
  offsetOf(keyword: string): number {
    return this.#offsets.get(keyword) ?? this.#headerOffset;
  }

  /** A FitsError located at a keyword's card. */
  error(message: string, keyword?: string): FitsError {
    return new FitsError(message, this.hdu, keyword === undefined ? this.#headerOffset : this.offsetOf(keyword));
  }

  /** The raw value, or undefined. */
  value(keyword: string): HeaderValue | undefined {
    return this.#header.get(keyword);
  }

  /**
   * An integer keyword within [min, max].
   * @throws FitsError when absent without fallback, not an integer, or out of range
   */
  integer(keyword: string, options: IntegerOptions = {}): number {
    const value = this.#header.get(keyword);
    if (value === undefined) {
      if (options.fallback !== undefined) return options.fallback;
      throw this.error(`missing required keyword ${keyword}`);
    }
    if (typeof value === "bigint") throw this.error(`${keyword} = ${value} is too large`, keyword);
    if (typeof value !== "number" || !Number.isInteger(value)) {
      throw this.error(`${keyword} must be an integer, found ${JSON.stringify(String(value))}`, keyword);
    }
    const { min = -Infinity, max = Infinity } = options;
    if (value < min || value > max) throw this.error(`${keyword} = ${value} is out of range [${min}, ${max}]`, keyword);
    return value;
  }

  /**
   * A numeric keyword (BSCALE, BZERO, TSCALn …); a bigint is kept when it does not fit a double.
   * @throws FitsError when present but not a number
   */
  number(keyword: string, fallback: number): number | bigint {
    const value = this.#header.get(keyword);
    if (value === undefined || value === null) return fallback;
    if (typeof value === "number" || typeof value === "bigint") return value;
    throw this.error(`${keyword} must be a number, found ${JSON.stringify(String(value))}`, keyword);
  }

  /**
   * An integer keyword that may be a bigint (BLANK, TNULLn of 64-bit data).
   * @throws FitsError when present but not an integer
   */
  integerOrBig(keyword: string): number | bigint | undefined {
    const value = this.#header.get(keyword);
    if (value === undefined || value === null) return undefined;
    if (typeof value === "bigint" || (typeof value === "number" && Number.isInteger(value))) return value;
    throw this.error(`${keyword} must be an integer, found ${JSON.stringify(String(value))}`, keyword);
  }

  /** A string keyword's value (trailing blanks already dropped), or undefined when absent or not a string. */
  string(keyword: string): string | undefined {
    const value = this.#header.get(keyword);
    return typeof value === "string" ? value : undefined;
  }
}
