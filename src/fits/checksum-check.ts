/**
 * Checking an HDU's CHECKSUM and DATASUM on read. The header is checked when the file is opened
 * (its sum plus the DATASUM it states must be -0); the data when a read covers the whole data unit
 * anyway, or on request, so a header-only open or a sub-image read never pays for reading the rest.
 *
 * @packageDocumentation
 */
import { FitsError } from "../errors.js";
import { readFully, type ByteSource } from "./byte-source.js";
import { addSums, isNegativeZero, OnesComplementSum } from "./checksum.js";
import type { HduLayout } from "./hdu-layout.js";
import { padToBlock } from "./header-io.js";

/**
 * What a checksum mismatch does: `"error"` throws a {@link FitsError} (from `openFits` for a
 * header, from the read for data), `"warn"` (the default) records it in `hdu.checksum` /
 * `hdu.checksumOk` and reads on, `"ignore"` does not compute checksums at all.
 */
export type ChecksumMode = "error" | "warn" | "ignore";

/**
 * The verdict on one checksum: `"ok"`, `"bad"`, `"absent"` (no such keyword), or `"unverified"`
 * (present, not checked yet: data is checked on a whole read or by `verifyChecksum()`).
 */
export type ChecksumVerdict = "ok" | "bad" | "absent" | "unverified";

/** The verdicts on an HDU's CHECKSUM (the whole HDU) and DATASUM (its data unit). */
export interface ChecksumStatus {
  header: ChecksumVerdict;
  data: ChecksumVerdict;
}

/** Bytes summed per read when the data must be read for its sum alone. */
const CHUNK = 4 << 20;

/** The checksum state of one open HDU. */
export class ChecksumCheck {
  readonly #layout: HduLayout;
  readonly #mode: ChecksumMode;
  readonly #stated: number | undefined;
  readonly #headerSum: number | undefined;
  readonly status: ChecksumStatus;

  /**
   * Checks the header against the DATASUM it states.
   * @throws FitsError in "error" mode when CHECKSUM is wrong, or DATASUM is not a 32-bit decimal
   */
  constructor(layout: HduLayout, mode: ChecksumMode, headerSum: number | undefined) {
    this.#layout = layout;
    this.#mode = mode;
    this.#headerSum = headerSum;
    const header = layout.header;
    const hasChecksum = header.has("CHECKSUM");
    const datasum = header.get("DATASUM");
    this.#stated = typeof datasum === "string" && /^\s*\d{1,10}\s*$/.test(datasum) && Number(datasum) <= 0xffffffff ? Number(datasum) : undefined;
    this.status = { header: hasChecksum ? "unverified" : "absent", data: datasum === undefined ? "absent" : "unverified" };
    if (mode === "ignore") return;
    if (datasum !== undefined && this.#stated === undefined) this.#fail("data", `DATASUM = ${JSON.stringify(datasum)} is not a 32-bit unsigned decimal string`);
    const assumed = this.#stated ?? (layout.dataSize === 0 ? 0 : undefined);
    if (hasChecksum && headerSum !== undefined && assumed !== undefined) {
      if (isNegativeZero(addSums(headerSum, assumed))) this.status.header = "ok";
      else this.#fail("header", "CHECKSUM does not match the HDU: the header (or the DATASUM it states) was changed or damaged");
    }
  }

  /** Whether a read of the whole data unit should feed a sum to {@link dataSummed}. */
  get wanted(): boolean {
    return this.#mode !== "ignore" && (this.status.data === "unverified" || this.status.header === "unverified");
  }

  /** `false` when a present checksum is wrong, `true` when every present one was verified, else undefined. */
  get ok(): boolean | undefined {
    const { header, data } = this.status;
    if (header === "bad" || data === "bad") return false;
    if (header === "unverified" || data === "unverified" || (header === "absent" && data === "absent")) return undefined;
    return true;
  }

  /**
   * Completes `sum` (which covers the data unit's first `sum.length` bytes) with the rest of the
   * data unit and its padding, and records the verdicts.
   * @throws FitsError in "error" mode on a mismatch
   */
  async finish(source: ByteSource, sum: OnesComplementSum): Promise<void> {
    const { dataOffset, dataSize, index } = this.#layout;
    const end = Math.min(dataOffset + padToBlock(dataSize), source.size);
    const buffer = new Uint8Array(Math.min(CHUNK, Math.max(0, end - dataOffset - sum.length)));
    for (let at = dataOffset + sum.length; at < end; ) {
      const piece = buffer.subarray(0, Math.min(buffer.length, end - at));
      await readFully(source, at, piece, index);
      sum.update(piece);
      at += piece.length;
    }
    this.#record(sum.value);
  }

  #record(dataSum: number): void {
    if (this.status.data !== "absent") {
      if (dataSum === this.#stated) this.status.data = "ok";
      else this.#fail("data", `DATASUM = ${this.#stated} but the data sums to ${dataSum}: the data was changed or damaged`);
    }
    if (this.status.header !== "absent" && this.#headerSum !== undefined) {
      if (isNegativeZero(addSums(this.#headerSum, dataSum))) this.status.header = "ok";
      else this.#fail("header", "CHECKSUM does not match the HDU: its header or data was changed or damaged");
    }
  }

  #fail(which: "header" | "data", message: string): void {
    this.status[which] = "bad";
    if (this.#mode === "error") {
      const layout = this.#layout;
      throw new FitsError(message, layout.index, which === "data" ? layout.dataOffset : layout.headerOffset);
    }
  }
}
