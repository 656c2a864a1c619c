/**
 * One HDU of an open FITS file: its header, and lazy reads of its data.
 *
 * @packageDocumentation
 */
import type { Header } from "../image/header.js";
import { readBinTableData, type TableData } from "./bintable-read.js";
import type { ByteSource } from "./byte-source.js";
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
   * @throws FitsError when the HDU is not an image (or is compressed: not supported yet), or the
   *   ranges are outside the image
   * @throws ClosedError after {@link FitsFile.close}
   */
  readImage(options?: ImageRegion): Promise<ImageData>;
  /**
   * Reads a binary table into columns.
   * @throws FitsError when the HDU is not a binary table or has a column type not supported yet
   * @throws ClosedError after {@link FitsFile.close}
   */
  readTable(): Promise<TableData>;
}

/** The {@link FitsHdu} of a file opened by {@link openFits}. */
export class OpenHdu implements FitsHdu {
  readonly #layout: HduLayout;
  readonly #source: ByteSource;
  readonly #checkOpen: () => void;

  /** @internal built by openFits */
  constructor(layout: HduLayout, source: ByteSource, checkOpen: () => void) {
    this.#layout = layout;
    this.#source = source;
    this.#checkOpen = checkOpen;
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

  /** {@inheritDoc FitsHdu.readImage} */
  async readImage(options?: ImageRegion): Promise<ImageData> {
    this.#checkOpen();
    return readImageData(this.#source, this.#layout, options);
  }

  /** {@inheritDoc FitsHdu.readTable} */
  async readTable(): Promise<TableData> {
    this.#checkOpen();
    return readBinTableData(this.#source, this.#layout);
  }
}
