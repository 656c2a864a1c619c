/**
 * The header written for an HDU: structural keywords generated from the data, then the caller's
 * cards minus the ones that would contradict the data.
 *
 * @packageDocumentation
 */
import { Header, type HeaderCard, type HeaderValue } from "../image/header.js";
import type { Bitpix } from "./bitpix.js";
import { needsContinue } from "./card.js";
import { valuesEqual } from "./card-value.js";
import type { TablePlan } from "./bintable-write.js";

/** Keywords the writer always generates itself. */
const STRUCTURAL = /^(SIMPLE|XTENSION|BITPIX|NAXIS\d*|EXTEND|PCOUNT|GCOUNT|GROUPS|TFIELDS|BSCALE|BZERO|CHECKSUM|DATASUM|END)$/;
/**
 * Column keywords that describe the stored form and so must match the columns actually written.
 * (CHECKSUM/DATASUM above would be stale after any change.)
 */
const COLUMN_FORM = /^T(TYPE|FORM|UNIT|SCAL|ZERO|NULL|DIM|BCOL)\d+$/;
/** The keywords of a tile-compressed image's table (FITS 4.0 §10.1), regenerated on writing. */
const COMPRESSION = /^(Z(IMAGE|BITPIX|NAXIS\d*|TILE\d+|CMPTYPE|NAME\d+|VAL\d+|QUANTIZ|DITHER0|SIMPLE|TENSION|EXTEND|BLOCKED|PCOUNT|GCOUNT|HECKSUM|DATASUM|MASKCMP|SCALE|ZERO|BLANK)|THEAP)$/;

/**
 * Whether the writer generates this keyword itself (and so drops it from a header it is given):
 * SIMPLE, XTENSION, BITPIX, NAXISn, EXTEND, PCOUNT, GCOUNT, GROUPS, TFIELDS, BSCALE, BZERO,
 * CHECKSUM, DATASUM, LONGSTRN and the column-format keywords TTYPEn, TFORMn, TUNITn, TSCALn,
 * TZEROn, TNULLn, TDIMn, TBCOLn, THEAP, and the Z keywords of tile-compressed images (ZIMAGE,
 * ZBITPIX, ZNAXISn, ZTILEn, ZCMPTYPE, ZNAMEn, ZVALn, ZQUANTIZ, ZDITHER0, ZSIMPLE, ZTENSION …).
 * Readers use it to separate a user's metadata from structure.
 */
export function isStructuralKeyword(keyword: string): boolean {
  const key = keyword.toUpperCase();
  return STRUCTURAL.test(key) || COLUMN_FORM.test(key) || COMPRESSION.test(key) || key === "LONGSTRN";
}

/** Whether the compressed-image writer generates this keyword (so drops a given one). */
export function isCompressionKeyword(keyword: string): boolean {
  return STRUCTURAL.test(keyword) || COLUMN_FORM.test(keyword) || COMPRESSION.test(keyword);
}

/** Where the HDU sits and what it holds. */
export interface ImageHeaderSpec {
  primary: boolean;
  bitpix: Bitpix;
  /** Row-major shape; empty for a header-only HDU. */
  shape: number[];
  zero?: number | bigint;
}

/** Builds an image HDU's header. */
export function imageHeader(spec: ImageHeaderSpec, user: Header | undefined): Header {
  const out = new HeaderBuilder(user);
  if (spec.primary) out.put("SIMPLE", true, "conforms to FITS standard");
  else out.put("XTENSION", "IMAGE", "image extension");
  out.put("BITPIX", spec.bitpix, "array data type");
  out.put("NAXIS", spec.shape.length, "number of array dimensions");
  [...spec.shape].reverse().forEach((n, i) => out.put(`NAXIS${i + 1}`, n));
  if (spec.primary) out.put("EXTEND", true);
  else {
    out.put("PCOUNT", 0, "number of parameters");
    out.put("GCOUNT", 1, "number of groups");
  }
  if (spec.zero !== undefined) {
    out.put("BSCALE", 1);
    out.put("BZERO", spec.zero, "offset data range to that of unsigned integers");
  }
  // BLANK only means something for integer pixels.
  return out.finish((keyword) => STRUCTURAL.test(keyword) || (keyword === "BLANK" && (spec.bitpix < 0 || spec.shape.length === 0)));
}

/** Builds a binary-table HDU's header. */
export function tableHeader(plan: TablePlan, user: Header | undefined): Header {
  const out = new HeaderBuilder(user);
  out.put("XTENSION", "BINTABLE", "binary table extension");
  out.put("BITPIX", 8, "array data type");
  out.put("NAXIS", 2, "number of array dimensions");
  out.put("NAXIS1", plan.rowBytes, "length of dimension 1");
  out.put("NAXIS2", plan.nrows, "length of dimension 2");
  out.put("PCOUNT", plan.heapSize, "number of group parameters");
  out.put("GCOUNT", 1, "number of groups");
  out.put("TFIELDS", plan.columns.length, "number of table fields");
  plan.columns.forEach((column, i) => {
    const n = i + 1;
    out.put(`TTYPE${n}`, column.name);
    out.put(`TFORM${n}`, column.tform);
    if (column.tdim !== undefined) out.put(`TDIM${n}`, `(${column.tdim.join(",")})`);
    if (column.unit !== undefined) out.put(`TUNIT${n}`, column.unit);
    if (column.zero !== undefined) {
      out.put(`TSCAL${n}`, 1);
      out.put(`TZERO${n}`, column.zero);
    }
    if (column.null !== undefined) out.put(`TNULL${n}`, column.null);
  });
  return out.finish((keyword) => STRUCTURAL.test(keyword) || COLUMN_FORM.test(keyword) || keyword === "BLANK");
}

/** Accumulates generated cards, then appends the caller's cards that survive a filter. */
export class HeaderBuilder {
  readonly #cards: HeaderCard[] = [];
  readonly #user: Header | undefined;

  /** @param user - the caller's cards, appended by {@link HeaderBuilder.finish} */
  constructor(user: Header | undefined) {
    this.#user = user;
  }

  /**
   * Adds a generated card. When the caller's header has the same keyword with the same value, its
   * card (comment and raw image) is reused, so rewriting a file read from disk is byte-exact.
   */
  put(keyword: string, value: HeaderValue, comment?: string): void {
    const theirs = this.#user?.card(keyword);
    if (theirs && valuesEqual(theirs.value, value)) this.#cards.push({ ...theirs });
    else this.#cards.push(comment === undefined ? { keyword, value } : { keyword, value, comment });
  }

  /** The generated cards, then the caller's cards for which `drop` is false. */
  finish(drop: (keyword: string) => boolean): Header {
    const kept = (this.#user?.cards ?? []).filter((card) => !drop(card.keyword));
    // Long strings use CONTINUE cards; the convention asks for LONGSTRN to announce them.
    if (!kept.some((c) => c.keyword === "LONGSTRN") && kept.some(needsContinue)) {
      this.#cards.push({ keyword: "LONGSTRN", value: "OGIP 1.0", comment: "The OGIP long string convention may be used" });
    }
    return new Header([...this.#cards, ...kept.map((c) => ({ ...c }))]);
  }
}
