/**
 * writeFits: HDU descriptions → a FITS file. Everything is checked before the file is created,
 * and data goes through one reused 4 MiB scratch buffer, so memory does not grow with the data.
 *
 * @packageDocumentation
 */
import { open, rm, type FileHandle } from "node:fs/promises";
import type { Header } from "../image/header.js";
import type { PixelArray } from "../image/image.js";
import { FitsError } from "../errors.js";
import { storageTypeOf } from "./bitpix.js";
import { planTable, writeTableData, type TablePlan } from "./bintable-write.js";
import { imageHeader, tableHeader } from "./hdu-header.js";
import type { HduInput } from "./hdu-input.js";
import { formatHeader, padToBlock } from "./header-io.js";
import { writeImageData, type ByteSink } from "./image-io.js";

/** Size of the scratch buffer data is encoded through. */
const SCRATCH_BYTES = 4 << 20;

/** One HDU ready to write: its header bytes and a data writer. */
interface PreparedHdu {
  header: Uint8Array;
  dataSize: number;
  writeData(sink: ByteSink, scratch: Uint8Array): Promise<void>;
}

/**
 * Writes HDUs to a FITS file (replacing it). The first HDU is the primary (SIMPLE = T,
 * EXTEND = T); later ones are IMAGE or BINTABLE extensions. When the first HDU given is a table, an
 * empty primary HDU is written before it (a table cannot be primary), as astropy and CFITSIO do.
 * The writer generates the structural keywords; the caller's header cards follow them in order.
 *
 * The file is written in place, not atomically (the FITS formatter writes to a temp file and
 * renames); a file left half-written by a failure is removed.
 *
 * ```ts
 * await writeFits("calexp.fits", [
 *   { kind: "image", header: Header.fromObject({ OBSID: 42 }) },
 *   { kind: "image", header: Header.fromObject({ EXTNAME: "IMAGE" }), data: pixels, shape: [height, width] },
 *   { kind: "bintable", columns: { id: new BigInt64Array([1n, 2n]), name: ["a", "b"] } },
 * ]);
 * ```
 *
 * @throws FitsError for input that cannot be written (shape and data disagree, unsupported array
 *   type, ragged table columns, non-ASCII header text …), before the file is touched
 */
export async function writeFits(path: string, hdus: readonly HduInput[]): Promise<void> {
  const inputs: HduInput[] = hdus.length === 0 || hdus[0]!.kind !== "image" ? [{ kind: "image" }, ...hdus] : [...hdus];
  const prepared = inputs.map((input, index) => prepare(input, index));
  const handle = await open(path, "w");
  let ok = false;
  try {
    const sink = fileSink(handle);
    const scratch = new Uint8Array(SCRATCH_BYTES);
    for (const hdu of prepared) {
      await sink.write(hdu.header);
      await hdu.writeData(sink, scratch);
      const padding = padToBlock(hdu.dataSize) - hdu.dataSize;
      if (padding > 0) await sink.write(new Uint8Array(padding));
    }
    ok = true;
  } finally {
    await handle.close();
    if (!ok) await rm(path, { force: true });
  }
}

function prepare(input: HduInput, index: number): PreparedHdu {
  try {
    return prepareHdu(input, index);
  } catch (error) {
    // Card formatting does not know which HDU it serves; say it here.
    if (error instanceof FitsError && error.hdu === undefined) throw new FitsError(error.message, index, undefined, { cause: error });
    throw error;
  }
}

function prepareHdu(input: HduInput, index: number): PreparedHdu {
  if (input.kind === "image") return prepareImage(input.data, input.shape, input.header, index);
  if (input.kind === "bintable") return prepareTable(planTable(input, index), input.header, index);
  throw new FitsError(`cannot write an HDU of kind ${JSON.stringify((input as { kind: unknown }).kind)}`, index);
}

const PIXEL_TYPES = [Uint8Array, Int8Array, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array];

function prepareImage(data: PixelArray | undefined, shape: number[] | undefined, header: Header | undefined, index: number): PreparedHdu {
  const primary = index === 0;
  if (data === undefined) {
    if (shape !== undefined && shape.reduce((p, n) => p * n, 1) !== 0) throw new FitsError("an image HDU with a non-empty shape needs data", index);
    return { header: formatHeader(imageHeader({ primary, bitpix: 8, shape: [] }, header).cards), dataSize: 0, writeData: async () => {} };
  }
  if (!PIXEL_TYPES.some((type) => data instanceof type)) throw new FitsError("image data must be one of the typed arrays FITS can store", index);
  const dims = shape ?? [data.length];
  if (dims.length > 999 || !dims.every((n) => Number.isSafeInteger(n) && n >= 0)) {
    throw new FitsError(`image shape [${dims.join(", ")}] must be at most 999 non-negative integers`, index);
  }
  // NAXIS = 0 means no data at all, so an empty shape only fits an empty array.
  const count = dims.length === 0 ? 0 : dims.reduce((p, n) => p * n, 1);
  if (count !== data.length) throw new FitsError(`image shape [${dims.join(", ")}] needs ${count} pixels, data has ${data.length}`, index);
  const { bitpix, zero } = storageTypeOf(data);
  const spec = zero === undefined ? { primary, bitpix, shape: dims } : { primary, bitpix, shape: dims, zero };
  return {
    header: formatHeader(imageHeader(spec, header).cards),
    dataSize: data.byteLength,
    writeData: (sink, scratch) => writeImageData(sink, data, scratch),
  };
}

function prepareTable(plan: TablePlan, header: Header | undefined, index: number): PreparedHdu {
  if (index === 0) throw new FitsError("a binary table cannot be the primary HDU", index);
  return {
    header: formatHeader(tableHeader(plan, header).cards),
    dataSize: plan.nrows * plan.rowBytes,
    writeData: (sink, scratch) => writeTableData(sink, plan, scratch),
  };
}

/** Writes everything it is given, looping over short writes. */
function fileSink(handle: FileHandle): ByteSink {
  return {
    async write(bytes: Uint8Array): Promise<void> {
      let done = 0;
      while (done < bytes.length) {
        const { bytesWritten } = await handle.write(bytes, done, bytes.length - done);
        done += bytesWritten;
      }
    },
  };
}
