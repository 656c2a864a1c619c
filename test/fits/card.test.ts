import { expect } from "chai";
import { FitsError } from "../../src/errors.js";
import { formatCard, parseCardImages } from "../../src/fits/card.js";
import { formatReal } from "../../src/fits/card-value.js";
import { formatHeader, parseHeaderBytes } from "../../src/fits/header-io.js";
import { Header, type HeaderCard } from "../../src/image/header.js";

const pad = (s: string): string => s.padEnd(80);
/** Parses card images given as (unpadded) strings; one logical card expected. */
function parse(...images: string[]): HeaderCard {
  const { cards } = parseCardImages(images.map(pad));
  expect(cards).to.have.length(1);
  return cards[0]!;
}
/** Formats a card freshly (no raw) and parses it back. */
function roundTrip(card: HeaderCard): HeaderCard {
  const text = formatCard(card);
  expect(text.length % 80).to.equal(0);
  const images = text.match(/.{80}/g)!;
  const { cards } = parseCardImages(images);
  expect(cards).to.have.length(1);
  return cards[0]!;
}

describe("FITS header cards", () => {
  it("parses and formats logicals in column 30", () => {
    expect(parse("SIMPLE  =                    T / standard").value).to.equal(true);
    expect(parse("FLAG    = F").value).to.equal(false);
    const text = formatCard({ keyword: "FLAG", value: false, comment: "a flag" });
    expect(text[29]).to.equal("F");
    expect(text).to.equal(pad("FLAG    =                    F / a flag"));
  });

  it("parses integers, with bigint beyond 2^53", () => {
    expect(parse("NAXIS1  =                 4096").value).to.equal(4096);
    expect(parse("NEG     = -17").value).to.equal(-17);
    expect(parse("PLUS    = +5").value).to.equal(5);
    expect(parse("SAFE    = 9007199254740991").value).to.equal(Number.MAX_SAFE_INTEGER);
    expect(parse("UNSAFE  = 9007199254740993").value).to.equal(9007199254740993n);
    expect(parse("BZERO   =  9223372036854775808").value).to.equal(2n ** 63n);
    expect(roundTrip({ keyword: "BIG", value: -(2n ** 70n) }).value).to.equal(-(2n ** 70n));
  });

  it("writes integral numbers as integers, right-justified in columns 11-30", () => {
    const text = formatCard({ keyword: "NAXIS1", value: 4096 });
    expect(text.slice(10, 30)).to.equal("4096".padStart(20));
    expect(text).to.not.include(".");
    const big = roundTrip({ keyword: "X", value: 2 ** 60 }); // not a safe integer: a real, same double
    expect(big.value).to.equal(2 ** 60);
  });

  it("parses reals with E and D exponents", () => {
    expect(parse("A       = 1.5").value).to.equal(1.5);
    expect(parse("B       = 1.0D-03").value).to.equal(1e-3);
    expect(parse("C       = -2.5E+10").value).to.equal(-2.5e10);
    expect(parse("D       = .5").value).to.equal(0.5);
    expect(parse("E       = 1.").value).to.equal(1);
    expect(parse("F       = 3.0d2").value).to.equal(300);
    expect(parse("TIGHT   =12").value).to.equal(12);
  });

  it("writes reals with the shortest round-tripping digits, uppercase E", () => {
    expect(formatReal(0.1)).to.equal("0.1");
    expect(formatReal(1.5e-7)).to.equal("1.5E-07");
    expect(formatReal(1e21)).to.equal("1.0E+21");
    expect(formatReal(-0)).to.equal("-0.0");
    const text = formatCard({ keyword: "PI", value: Math.PI });
    expect(text.slice(10, 30)).to.equal(String(Math.PI).padStart(20));
    let seed = 12345;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 2000; i++) {
      const value = (random() - 0.5) * 10 ** Math.floor(random() * 600 - 300);
      expect(Object.is(roundTrip({ keyword: "R", value }).value, value), String(value)).to.equal(true);
    }
    expect(Object.is(roundTrip({ keyword: "Z", value: -0 }).value, -0)).to.equal(true);
    expect(roundTrip({ keyword: "T", value: Number.MIN_VALUE }).value).to.equal(Number.MIN_VALUE);
    expect(roundTrip({ keyword: "T", value: -Number.MAX_VALUE }).value).to.equal(-Number.MAX_VALUE);
  });

  it("refuses NaN and infinities", () => {
    expect(() => formatCard({ keyword: "X", value: NaN })).to.throw(FitsError);
    expect(() => formatCard({ keyword: "X", value: Infinity })).to.throw(FitsError);
  });

  it("parses and formats complex values", () => {
    expect(parse("CPX     = (1.5, -2.0D1)").value).to.deep.equal({ re: 1.5, im: -20 });
    expect(parse("CPXI    = (3, 4)").value).to.deep.equal({ re: 3, im: 4 });
    expect(roundTrip({ keyword: "CPX", value: { re: 0.1, im: -1e-300 }, comment: "c" })).to.include({ comment: "c" });
    expect(roundTrip({ keyword: "CPX", value: { re: 0.1, im: -1e-300 } }).value).to.deep.equal({ re: 0.1, im: -1e-300 });
  });

  it("parses strings with '' quoting, keeps leading and drops trailing blanks", () => {
    expect(parse("OBSERVER= 'O''HARA  ' / who").value).to.equal("O'HARA");
    expect(parse("OBSERVER= 'O''HARA  ' / who").comment).to.equal("who");
    expect(parse("S       = '  lead'").value).to.equal("  lead");
    expect(parse("S       = ''").value).to.equal("");
    expect(parse("S       = '   '").value).to.equal(" ");
    expect(parse("S       = 'a / b' / c").value).to.equal("a / b");
  });

  it("formats strings from column 11, padded to 8 characters, quotes doubled", () => {
    expect(formatCard({ keyword: "OBJECT", value: "M31", comment: "target" })).to.equal(pad("OBJECT  = 'M31     '           / target"));
    expect(formatCard({ keyword: "E", value: "" })).to.equal(pad("E       = ''"));
    expect(roundTrip({ keyword: "Q", value: "it's 'quoted'" }).value).to.equal("it's 'quoted'");
  });

  it("parses and formats the undefined value", () => {
    const card = parse("UNDEF   =                      / nothing known");
    expect(card.value).to.equal(null);
    expect(card.comment).to.equal("nothing known");
    expect(formatCard({ keyword: "UNDEF", value: null, comment: "nothing known" })).to.equal(pad("UNDEF   =                      / nothing known"));
    expect(roundTrip({ keyword: "UNDEF", value: null }).value).to.equal(null);
  });

  it("handles COMMENT, HISTORY and blank-keyword cards as text", () => {
    expect(parse("COMMENT   a comment with = sign / and slash")).to.include({ keyword: "COMMENT", value: "  a comment with = sign / and slash" });
    expect(parse("HISTORY flat-fielded")).to.include({ keyword: "HISTORY", value: "flat-fielded" });
    expect(parse("        just text")).to.include({ keyword: "", value: "just text" });
    expect(formatCard({ keyword: "HISTORY", value: "done" })).to.equal(pad("HISTORY done"));
    const long = "x".repeat(100);
    const text = formatCard({ keyword: "COMMENT", value: long });
    expect(text).to.equal(pad(`COMMENT ${"x".repeat(72)}`) + pad(`COMMENT ${"x".repeat(28)}`));
  });

  it("parses and formats HIERARCH keywords", () => {
    const card = parse("HIERARCH ESO DET CHIP NAME = 'CCD-1' / the chip");
    expect(card).to.include({ keyword: "ESO DET CHIP NAME", value: "CCD-1", comment: "the chip" });
    expect(parse("HIERARCH ESO TEL AIRM START = 1.234").value).to.equal(1.234);
    const text = formatCard({ keyword: "ESO DET CHIP NAME", value: "CCD-1" });
    expect(text.startsWith("HIERARCH ESO DET CHIP NAME = 'CCD-1   '")).to.equal(true);
    expect(roundTrip({ keyword: "LONGKEYWORD", value: 42, comment: "c" })).to.include({ keyword: "LONGKEYWORD", value: 42, comment: "c" });
    expect(roundTrip({ keyword: "HIERARCH A B", value: true }).keyword).to.equal("A B");
  });

  it("joins CONTINUE long strings, astropy style comments included", () => {
    const card = parse(
      "LONG    = 'first part &'",
      "CONTINUE  'second part&'",
      "CONTINUE  ' third' / comment one",
    );
    expect(card.value).to.equal("first part second part third");
    expect(card.comment).to.equal("comment one");
    const astropyStyle = parse("LONG    = 'abc&'", "CONTINUE  'def&'", "CONTINUE  '&' / first half of", "CONTINUE  '' / the comment");
    expect(astropyStyle.value).to.equal("abcdef");
    expect(astropyStyle.comment).to.equal("first half of the comment");
    // A lone trailing & without a CONTINUE card after it is part of the value.
    expect(parse("AMP     = 'R&'").value).to.equal("R&");
  });

  it("writes long strings on CONTINUE cards and reads them back", () => {
    const value = `${"abcdefghij".repeat(15)}'quote'${"'".repeat(70)}end&`;
    const text = formatCard({ keyword: "LONGSTR", value, comment: "short" });
    expect(text.length).to.be.greaterThan(160);
    expect(text.slice(80, 90)).to.equal("CONTINUE  ");
    const back = roundTrip({ keyword: "LONGSTR", value, comment: "short" });
    expect(back.value).to.equal(value);
    expect(back.comment).to.equal("short");
    const longComment = Array.from({ length: 40 }, (_, i) => `word${i}`).join(" ");
    const withComment = roundTrip({ keyword: "LONGSTR", value: "y".repeat(100), comment: longComment });
    expect(withComment).to.include({ value: "y".repeat(100), comment: longComment });
    const hier = roundTrip({ keyword: "ESO OBS NAME", value: "z".repeat(200) });
    expect(hier).to.include({ keyword: "ESO OBS NAME", value: "z".repeat(200) });
  });

  it("truncates a comment that does not fit, never the value", () => {
    const back = roundTrip({ keyword: "K", value: 1, comment: "c".repeat(100) });
    expect(back.value).to.equal(1);
    expect(back.comment).to.equal("c".repeat(80 - 33));
  });

  it("refuses non-ASCII text", () => {
    expect(() => formatCard({ keyword: "OBSERVER", value: "Ångström" })).to.throw(FitsError);
    expect(() => formatCard({ keyword: "COMMENT", value: "naïve" })).to.throw(FitsError);
  });

  it("round-trips an oddly formatted header block byte-exactly through raw", () => {
    const images = [
      "SIMPLE  = T",
      "BITPIX  =                  -32 / lower-case comment",
      "NAXIS   = 2 /free format",
      "NAXIS1  =                   10",
      "NAXIS2  =                   20",
      "CRVAL1  = 1.234567890123456789D+02",
      "DATE-OBS= '2020-01-01T00:00:00'",
      "STRANGE = not a value",
      "NOVALUE   this keyword has no value indicator",
      "HIERARCH ESO INS FILT1 NAME='r'",
      "LONG    = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&'",
      "CONTINUE  'bbbb' /  spaced comment  ",
      "COMMENT  keep   my   spacing",
      "",
      "HISTORY x",
      "END",
    ].map(pad);
    const block = Buffer.from(images.join("").padEnd(2880), "latin1");
    const parsed = parseHeaderBytes(block);
    expect(parsed.header.get("CRVAL1")).to.be.closeTo(123.45678901234568, 1e-12);
    expect(parsed.header.get("LONG")).to.equal(`${"a".repeat(67)}bbbb`);
    expect(parsed.header.get("ESO INS FILT1 NAME")).to.equal("r");
    expect(parsed.cardOffsets[1]).to.equal(80);
    expect(parsed.cardOffsets[12]).to.equal(12 * 80 + 80); // after the 2-image LONG card
    const written = formatHeader(parsed.header.cards);
    expect(Buffer.from(written).equals(block)).to.equal(true);
    // A card changed through Header.set loses its raw image and is formatted afresh.
    const changed = parsed.header.clone().set("NAXIS", 3);
    const text = Buffer.from(formatHeader(changed.cards)).toString("latin1");
    expect(text.slice(160, 240)).to.equal(pad("NAXIS   =                    3 / free format"));
    // So is a card whose object was edited in place while keeping a stale raw.
    const stale: HeaderCard = { ...parsed.header.card("BITPIX")!, value: 16 };
    expect(formatCard(stale)).to.equal(pad("BITPIX  =                   16 / lower-case comment"));
    expect(new Header(parsed.header.cards).length).to.equal(14);
  });
});
