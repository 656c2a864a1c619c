/**
 * `fitsheader` (Main `fitsheader.FitsHeaderStorlet`): the headers of a FITS file, read where the
 * data is — only the header blocks travel. Parameters: `hdu` (index or EXTNAME; default every
 * HDU), `format`: `json` (the default) is an array with one object per HDU — its index, extname,
 * kind and cards (keyword, value, comment) — and `text` is the 80-character cards as astropy's
 * `repr(header)` prints them, one per line, HDUs separated by a blank line.
 *
 * @packageDocumentation
 */
import { formatCard } from "../../fits/card.js";
import { openFits } from "../../fits/index.js";
import type { Storlet, StorletInputFile, StorletLogger, StorletOutputFile, StorletParams } from "../contract.js";
import { chooseHdu } from "./hdu-choice.js";
import { InputByteSource } from "./input-byte-source.js";

/** Prints FITS headers. */
export class FitsHeaderStorlet implements Storlet {
  readonly #logger: StorletLogger;

  /** @param logger - the storlet's log */
  constructor(logger: StorletLogger) {
    this.#logger = logger;
  }

  /** {@inheritDoc Storlet.invoke} */
  async invoke([input]: StorletInputFile[], [output]: StorletOutputFile[], params: StorletParams): Promise<void> {
    const format = params.format ?? "json";
    if (format !== "json" && format !== "text") throw new Error(`parameter format must be json or text, got "${format}"`);
    const source = new InputByteSource(input!);
    const file = await openFits(source, { checksum: "ignore" });
    const hdus = params.hdu === undefined || params.hdu === "" ? file.hdus : [chooseHdu(file, params.hdu, () => true, "an HDU")];
    output!.setMetadata({ "Content-Type": format === "json" ? "application/json" : "text/plain; charset=utf-8" });
    if (format === "json") {
      const out = hdus.map((h) => ({
        index: h.index,
        extname: h.extname?.trim() ?? null,
        kind: h.kind,
        cards: h.header.cards.map((c) => ({ keyword: c.keyword, value: typeof c.value === "bigint" ? c.value.toString() : c.value, ...(c.comment === undefined ? {} : { comment: c.comment }) })),
      }));
      await output!.write(JSON.stringify(out));
    } else {
      for (const [i, h] of hdus.entries()) {
        const images = h.header.cards.map((c) => c.raw ?? formatCard(c)).join("");
        const lines = images.match(/.{1,80}/g) ?? [];
        await output!.write(`${i > 0 ? "\n" : ""}${lines.map((l) => l.trimEnd()).join("\n")}\n`);
      }
    }
    this.#logger.info(`read ${source.bytesRead} of ${source.size} bytes`);
    await input!.close();
    await output!.close();
  }
}
