/**
 * One HDU of an open FITS file: its header, and lazy reads of its data.
 *
 * @packageDocumentation
 */
import type { Header } from "../image/header.js";
import { readBinTableData, type TableData } from "./bintable-read.js";
import type { ByteSource } from "./byte-source.js";
import { OnesComplementSum } from "./checksum.js";
import { readCompressedImage } from "./compressed-read.js";
import { readAsciiTable } from "./ascii-table.js";
import { ChecksumCheck, type ChecksumMode, type ChecksumStatus } from "./checksum-check.js";
import type { HduKind, HduLayout } from "./hdu-layout.js";
import { readImageData, type ImageData, type ImageRegion } from "./image-io.js";

/** One header-data unit of a {@link FitsFile}. Data is read only when asked for. */
export interface FitsHdu {
  /** Zero-based position in the file (0 is the primary HDU). */
  readonly index: number;
  readonly kind: HduKind;
  /** Every card, structural ones included, in file order. */
  readonly header: Header;
  /** Row-major shape (FITS axes reversed: `[NAXIS2, NAXIS1]`); for a compressed image, the image's. */
  readonly shape: number[];
  /** EXTNAME, when present. */
  readonly extname: string | undefined;
  /** EXTVER (1 when absent). */
  readonly extver: number;
  /** Byte offset of the data in the file. */
  readonly dataOffset: number;
  /** Bytes of data (without padding). */
  readonly dataSize: number;
  /**
   * Reads the image, or the rows and columns asked for (half-open `[start, end)` ranges over the
   * last two axes; for a cube, in every plane), reading only those bytes. Values are physical:
   * unsigned conventions give Uint16/Uint32/BigUint64 (and Int8) arrays, other BSCALE/BZERO give
   * Float32Array (BITPIX 8, 16, -32) or Float64Array (32, 64, -64) with BLANK → NaN.
   *
   * ```ts
   * const { data, shape } = await file.hdu("IMAGE").readImage({ rows: [100, 200], cols: [0, 50] });
   * ```
   *
   * A tile-compressed image (RICE_1, GZIP_1, GZIP_2, PLIO_1, NOCOMPRESS; quantized floats with
   * any dithering) reads the same way; a region decodes only the tiles it touches.
   *
   * @throws FitsError when the HDU is not an image, the ranges are outside the image, or a
   *   compressed tile is damaged or uses an unsupported algorithm (HCOMPRESS_1)
   * @throws ClosedError after {@link FitsFile.close}
   */
  readImage(options?: ImageRegion): Promise<ImageData>;
  /**
   * Reads a binary table (every TFORM type; variable-length columns into `arrays`) or an ASCII
   * table into columns.
   *
   * ```ts
   * const { columns, arrays } = await file.hdu("CAT").readTable();
   * const flux = columns.flux as Float64Array;
   * ```
   *
   * @throws FitsError when the HDU is not a table, a variable-length descriptor points outside
   *   the heap, or an ASCII field is not a number
   * @throws ClosedError after {@link FitsFile.close}
   */
  readTable(): Promise<TableData>;
  /**
   * The verdicts on CHECKSUM (the whole HDU) and DATASUM (the data unit). The header is checked
   * when the file is opened; the data when a read covers the whole data unit (a whole image, a
   * table) or by {@link FitsHdu.verifyChecksum}. Not computed in `checksum: "ignore"` mode.
   */
  readonly checksum: ChecksumStatus;
  /**
   * `false` when a CHECKSUM or DATASUM present in the header is wrong (the flag `checksum: "warn"`
   * raises), `true` when every one present was verified, undefined when none is present or they
   * have not been checked yet.
   */
  readonly checksumOk: boolean | undefined;
  /**
   * Reads the whole data unit to check DATASUM and CHECKSUM now (even in "ignore" mode).
   * @returns {@link FitsHdu.checksumOk} after the check
   * @throws FitsError on a mismatch when the file was opened with `checksum: "error"`
   * @throws ClosedError after {@link FitsFile.close}
   */
  verifyChecksum(): Promise<boolean | undefined>;
}

/** The {@link FitsHdu} of a file opened by {@link openFits}. */
export class OpenHdu implements FitsHdu {
  readonly #layout: HduLayout;
  readonly #source: ByteSource;
  readonly #checkOpen: () => void;
  readonly #checksum: ChecksumCheck;

  /**
   * @internal built by openFits
   * @throws FitsError in "error" mode when the header's CHECKSUM is wrong
   */
  constructor(layout: HduLayout, source: ByteSource, checkOpen: () => void, mode: ChecksumMode = "warn") {
    this.#layout = layout;
    this.#source = source;
    this.#checkOpen = checkOpen;
    this.#checksum = new ChecksumCheck(layout, mode, layout.headerSum);
  }

  /** {@inheritDoc FitsHdu.index} */
  get index(): number {
    return this.#layout.index;
  }
  /** {@inheritDoc FitsHdu.kind} */
  get kind(): HduKind {
    return this.#layout.kind;
  }
  /** {@inheritDoc FitsHdu.header} */
  get header(): Header {
    return this.#layout.header;
  }
  /** {@inheritDoc FitsHdu.shape} */
  get shape(): number[] {
    return [...this.#layout.shape];
  }
  /** {@inheritDoc FitsHdu.extname} */
  get extname(): string | undefined {
    return this.#layout.extname;
  }
  /** {@inheritDoc FitsHdu.extver} */
  get extver(): number {
    return this.#layout.extver;
  }
  /** {@inheritDoc FitsHdu.dataOffset} */
  get dataOffset(): number {
    return this.#layout.dataOffset;
  }
  /** {@inheritDoc FitsHdu.dataSize} */
  get dataSize(): number {
    return this.#layout.dataSize;
  }

  /** {@inheritDoc FitsHdu.checksum} */
  get checksum(): ChecksumStatus {
    return { ...this.#checksum.status };
  }
  /** {@inheritDoc FitsHdu.checksumOk} */
  get checksumOk(): boolean | undefined {
    return this.#checksum.ok;
  }

  /** {@inheritDoc FitsHdu.readImage} */
  async readImage(options?: ImageRegion): Promise<ImageData> {
    this.#checkOpen();
    const sum = this.#wantedSum();
    const image =
      this.#layout.kind === "compressed-image"
        ? await readCompressedImage(this.#source, this.#layout, options, sum)
        : await readImageData(this.#source, this.#layout, options, sum);
    if (sum && sum.length === this.#layout.dataSize) await this.#checksum.finish(this.#source, sum);
    return image;
  }

  /** {@inheritDoc FitsHdu.readTable} */
  async readTable(): Promise<TableData> {
    this.#checkOpen();
    const sum = this.#wantedSum();
    const table =
      this.#layout.kind === "table" ? await readAsciiTable(this.#source, this.#layout, sum) : await readBinTableData(this.#source, this.#layout, sum);
    if (sum) await this.#checksum.finish(this.#source, sum);
    return table;
  }

  /** {@inheritDoc FitsHdu.verifyChecksum} */
  async verifyChecksum(): Promise<boolean | undefined> {
    this.#checkOpen();
    await this.#checksum.finish(this.#source, new OnesComplementSum());
    return this.#checksum.ok;
  }

  /** A sum for a read to feed, when the checksums still need the data. */
  #wantedSum(): OnesComplementSum | undefined {
    return this.#checksum.wanted ? new OnesComplementSum() : undefined;
  }
}
