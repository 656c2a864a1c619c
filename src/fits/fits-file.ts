/**
 * openFits / FitsFile: an open FITS file whose headers are read up front and whose data is read
 * on demand through a {@link ByteSource}.
 *
 * @packageDocumentation
 */
import { ClosedError, FitsError } from "../errors.js";
import { FileByteSource, MemoryByteSource, readExactly, type ByteSource } from "./byte-source.js";
import type { ChecksumMode } from "./checksum-check.js";
import { OpenHdu, type FitsHdu } from "./fits-hdu.js";
import { describeHdu, type HduLayout } from "./hdu-layout.js";
import { BLOCK_SIZE, padToBlock, readHeader } from "./header-io.js";

/**
 * An open FITS file. Its HDUs' headers are parsed and validated; data is read by
 * {@link FitsHdu.readImage} and {@link FitsHdu.readTable}.
 */
export class FitsFile {
  /** The HDUs in file order (0 is the primary). */
  readonly hdus: FitsHdu[];
  readonly #source: ByteSource;
  #closed = false;

  /** @internal use {@link openFits} */
  constructor(source: ByteSource, layouts: HduLayout[], options: OpenFitsOptions = {}) {
    this.#source = source;
    const checkOpen = (): void => {
      if (this.#closed) throw new ClosedError("FITS file");
    };
    this.hdus = layouts.map((layout) => new OpenHdu(layout, source, checkOpen, options.checksum ?? "warn"));
  }

  /**
   * An HDU by index, or by EXTNAME (case-insensitive) and optionally EXTVER (an HDU without
   * EXTVER has version 1); without `extver` the first HDU with that name.
   * @throws FitsError when there is no such HDU (the message lists the names there are)
   */
  hdu(indexOrExtname: number | string, extver?: number): FitsHdu {
    if (typeof indexOrExtname === "number") {
      const hdu = this.hdus[indexOrExtname];
      if (!hdu) throw new FitsError(`no HDU ${indexOrExtname}: the file has ${this.hdus.length} (0 to ${this.hdus.length - 1})`);
      return hdu;
    }
    const name = indexOrExtname.trim().toUpperCase();
    const hdu = this.hdus.find((h) => h.extname?.trim().toUpperCase() === name && (extver === undefined || h.extver === extver));
    if (!hdu) {
      const names = this.hdus.filter((h) => h.extname !== undefined).map((h) => `${h.extname}${h.extver === 1 ? "" : `,${h.extver}`}`);
      const what = extver === undefined ? name : `${name} with EXTVER ${extver}`;
      throw new FitsError(`no HDU named ${what}; the file has ${names.length > 0 ? names.join(", ") : "no named HDUs"}`);
    }
    return hdu;
  }

  /** Closes the byte source; reading data afterwards throws {@link ClosedError}. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#source.close?.();
  }
}

/** Options of {@link openFits}. */
export interface OpenFitsOptions {
  /**
   * What a wrong CHECKSUM/DATASUM does (default `"warn"`: recorded in `hdu.checksum` and
   * `hdu.checksumOk`); see {@link ChecksumMode}.
   */
  checksum?: ChecksumMode;
}

/**
 * Opens a FITS file and reads its headers only: each header is scanned up to END and the data
 * after it skipped by its size, so opening costs a few small reads whatever the data size.
 *
 * A path is read through a file handle with positional reads (released by `close()`); bytes in
 * memory and any {@link ByteSource} (e.g. HTTP ranges) work alike.
 *
 * Damaged files fail here, in time proportional to the header bytes, with the HDU and byte
 * offset. Tolerated: a last HDU whose data is complete but whose final block lacks its padding
 * (nothing is lost), and whole 2880-byte blocks after the last HDU that do not start with
 * XTENSION (FITS 4.0 §3.5 "special records"). Not tolerated: fewer than 2880 trailing bytes after
 * the last HDU (a truncated header).
 *
 * ```ts
 * const file = await openFits("calexp.fits");
 * try {
 *   const { data, shape } = await file.hdu("IMAGE").readImage();
 * } finally {
 *   await file.close();
 * }
 * ```
 *
 * @throws FitsError for malformed or truncated files (`hdu`, `offset` say where), and for a wrong
 *   header CHECKSUM with `checksum: "error"`
 * @throws the `fs` error when a path cannot be opened
 */
export async function openFits(source: string | Uint8Array | ByteSource, options: OpenFitsOptions = {}): Promise<FitsFile> {
  const owned = typeof source === "string";
  const bytes: ByteSource = owned ? await FileByteSource.open(source) : source instanceof Uint8Array ? new MemoryByteSource(source) : source;
  try {
    return new FitsFile(bytes, await scanHdus(bytes), options);
  } catch (error) {
    if (owned) await bytes.close?.();
    throw error;
  }
}

async function scanHdus(source: ByteSource): Promise<HduLayout[]> {
  const size = source.size;
  if (size === 0) throw new FitsError("empty file: a FITS file starts with a 2880-byte primary header", 0, 0);
  const layouts: HduLayout[] = [];
  let offset = 0;
  for (let index = 0; ; index++) {
    const parsed = await readHeader(source, offset, index, index === 0 ? "SIMPLE" : "XTENSION");
    const layout = describeHdu(parsed, index, size);
    layouts.push(layout);
    const end = layout.dataOffset + padToBlock(layout.dataSize);
    if (end >= size) return layouts;
    if (size - end < BLOCK_SIZE) {
      throw new FitsError(`${size - end} trailing bytes after HDU ${index}: not a whole 2880-byte block (truncated header?)`, index + 1, end);
    }
    const start = Buffer.from(await readExactly(source, end, 8, index + 1)).toString("latin1");
    if (start !== "XTENSION") return layouts;
    offset = end;
  }
}
