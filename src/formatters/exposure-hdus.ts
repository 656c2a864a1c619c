/**
 * The mapping between image objects and FITS HDUs, as LSST writes them: an Exposure is a
 * header-only primary HDU (the metadata) plus IMAGE, MASK and VARIANCE extensions; an Image is a
 * primary HDU with pixels. Pure conversion — no I/O.
 *
 * @packageDocumentation
 */
import { Header, type HeaderCard } from "../image/header.js";
import { Image, type PixelArray } from "../image/image.js";
import { Mask } from "../image/mask.js";
import { MaskedImage, Exposure } from "../image/masked-image.js";
import { FitsError } from "../errors.js";
import type { FitsFile, FitsHdu, HduInput } from "../fits/index.js";
import { isStructuralKeyword } from "../fits/index.js";
import { localRegion, type LocalRegion, type SubImageRequest } from "./sub-image.js";

const MASK_PLANE_PREFIX = "MP_";
/** Cards this module writes itself and removes again on read, so objects round-trip unchanged. */
const PLACEMENT_KEYWORDS = new Set(["EXTNAME", "EXTTYPE", "INHERIT", "LTV1", "LTV2"]);

function placementHeader(image: Image<PixelArray>, extname?: string): Header {
  const h = new Header();
  if (extname !== undefined) {
    h.set("EXTNAME", extname, "extension name");
    h.set("EXTTYPE", extname, "LSST-style plane type");
  }
  // LTV is the offset from parent to image coordinates, hence the minus sign (IRAF convention).
  if (image.x0 !== 0 || image.y0 !== 0) {
    h.set("LTV1", -image.x0, "image origin offset, x");
    h.set("LTV2", -image.y0, "image origin offset, y");
  }
  return h;
}

function maskHeader(mask: Mask): Header {
  const h = placementHeader(mask, "MASK");
  for (const [name, bit] of [...mask.planes].sort((a, b) => a[1] - b[1])) {
    h.set(`${MASK_PLANE_PREFIX}${name}`, bit, "mask plane bit");
  }
  return h;
}

/** The HDUs of an Exposure or MaskedImage: header-only primary, then IMAGE, MASK, VARIANCE. */
export function maskedImageToHdus(mi: MaskedImage<PixelArray>, metadata: Header = new Header()): HduInput[] {
  const shape = [mi.height, mi.width];
  return [
    { kind: "image", header: metadata },
    { kind: "image", header: placementHeader(mi.image, "IMAGE"), data: mi.image.data, shape },
    { kind: "image", header: maskHeader(mi.mask), data: mi.mask.data, shape },
    { kind: "image", header: placementHeader(mi.variance, "VARIANCE"), data: mi.variance.data, shape },
  ];
}

/** The HDU of a bare Image: a primary HDU with the pixels. */
export function imageToHdus(image: Image<PixelArray>, metadata: Header = new Header()): HduInput[] {
  const header = placementHeader(image);
  for (const card of metadata.cards) header.add(card);
  return [{ kind: "image", header, data: image.data, shape: [image.height, image.width] }];
}

/** A header without the structural and placement cards: what a user put there. */
export function userMetadata(header: Header, extraDrop: (keyword: string) => boolean = () => false): Header {
  const kept: HeaderCard[] = header.cards.filter(
    (c) => !isStructuralKeyword(c.keyword) && !PLACEMENT_KEYWORDS.has(c.keyword) && !extraDrop(c.keyword),
  );
  return new Header(kept);
}

/** Where an image HDU's first pixel sits in the parent frame, and its size: from its header alone. */
export function planeExtent(hdu: FitsHdu): { x0: number; y0: number; width: number; height: number } {
  const ltv1 = hdu.header.get("LTV1");
  const ltv2 = hdu.header.get("LTV2");
  const shape = hdu.shape;
  return {
    // LTV is the parent-to-image offset, hence the minus sign (see placementHeader)
    x0: typeof ltv1 === "number" ? -ltv1 : 0,
    y0: typeof ltv2 === "number" ? -ltv2 : 0,
    width: shape[shape.length - 1] ?? 0,
    height: shape[shape.length - 2] ?? 0,
  };
}

/** Reads a plane, or only the rows and columns of `region` (the codec reads just those bytes). */
async function readPlane(hdu: FitsHdu, region?: LocalRegion): Promise<Image<PixelArray>> {
  const { data, shape } = await hdu.readImage(region === undefined ? undefined : { rows: region.rows, cols: region.cols });
  if (shape.length !== 2) throw new FitsError(`expected a 2-D image, found ${shape.length} axes`, hdu.index);
  const image = new Image<PixelArray>(shape[1]!, shape[0]!, data);
  const extent = planeExtent(hdu);
  image.x0 = region?.x0 ?? extent.x0;
  image.y0 = region?.y0 ?? extent.y0;
  return image;
}

function findExt(file: FitsFile, extname: string): FitsHdu | undefined {
  return file.hdus.find((h) => String(h.header.get("EXTNAME") ?? "").trim().toUpperCase() === extname);
}

/** The first HDU that holds pixels. @throws FitsError when there is none */
export function firstImageHdu(file: FitsFile): FitsHdu {
  // a tile-compressed image (fpack's `.fz`) holds pixels just the same
  const hdu = file.hdus.find((h) => (h.kind === "image" || h.kind === "compressed-image") && h.shape.length >= 1 && h.shape.every((n) => n > 0));
  if (hdu === undefined) throw new FitsError("the file holds no image data");
  return hdu;
}

/**
 * The HDU holding the science pixels: IMAGE in the LSST layout, else the first image HDU.
 * @throws FitsError when the file holds no image
 */
export function scienceHdu(file: FitsFile): FitsHdu {
  return findExt(file, "IMAGE") ?? firstImageHdu(file);
}

/**
 * The metadata {@link readExposure} gives an Exposure, read from headers only: the primary header's
 * user cards, plus the image HDU's when a camera's raw file keeps its pixels in an extension.
 * @throws FitsError when the file holds no image
 */
export function readExposureMetadata(file: FitsFile): Header {
  const metadata = userMetadata(file.hdus[0]!.header);
  if (findExt(file, "IMAGE") === undefined) {
    const hdu = firstImageHdu(file);
    if (hdu.index !== 0) for (const card of userMetadata(hdu.header).cards) metadata.add(card);
  }
  return metadata;
}

/**
 * The whole header of an image file, as Gen2's `readMetadata` gave it for `<type>_md`: the header
 * of the HDU that holds the pixels — structural keywords included (BITPIX, NAXIS1, NAXIS2: the
 * image's type and size) — with the primary header's other cards added after it when the pixels
 * sit in an extension (afw's default HDU with INHERIT). A tile-compressed image (`.fz`) reports the
 * image it holds (BITPIX, NAXISn from ZBITPIX, ZNAXISn), not the table that stores it. A file with
 * no pixels at all gives its primary header. Headers only: no pixel is read.
 */
export function readFullMetadata(file: FitsFile): Header {
  const primary = file.hdus[0]!;
  let hdu: FitsHdu;
  try {
    hdu = scienceHdu(file);
  } catch {
    return primary.header.clone();
  }
  if (hdu.index === 0) return primary.header.clone();
  const merged = hdu.kind === "compressed-image" ? imageHeaderOf(hdu) : hdu.header.clone();
  for (const card of userMetadata(primary.header).cards) if (!merged.has(card.keyword)) merged.add(card);
  return merged;
}

/**
 * The header of the image a tile-compressed HDU stores, rebuilt as CFITSIO's funpack does: SIMPLE
 * (a compressed primary image, ZSIMPLE) or XTENSION, BITPIX/NAXISn from ZBITPIX/ZNAXISn, the
 * scaling cards, then every other card but the table's structure and the Z keywords.
 */
function imageHeaderOf(hdu: FitsHdu): Header {
  const z = hdu.header;
  const primary = z.get("ZSIMPLE") !== undefined;
  const header = new Header();
  if (primary) header.set("SIMPLE", z.get("ZSIMPLE")!);
  else header.set("XTENSION", z.get("ZTENSION") ?? "IMAGE");
  header.set("BITPIX", z.get("ZBITPIX") ?? 0);
  const axes = [...hdu.shape].reverse();
  header.set("NAXIS", axes.length);
  axes.forEach((n, i) => header.set(`NAXIS${i + 1}`, n));
  if (primary && z.get("ZEXTEND") !== undefined) header.set("EXTEND", z.get("ZEXTEND")!);
  if (!primary) header.set("PCOUNT", z.get("ZPCOUNT") ?? 0).set("GCOUNT", z.get("ZGCOUNT") ?? 1);
  for (const card of z.cards) {
    const scaling = card.keyword === "BSCALE" || card.keyword === "BZERO" || card.keyword === "BLANK";
    // fpack names a compressed primary image COMPRESSED_IMAGE; funpack drops that again
    const fpackName = primary && card.keyword === "EXTNAME" && card.value === "COMPRESSED_IMAGE";
    if ((scaling || !isStructuralKeyword(card.keyword)) && !fpackName) header.add(card);
  }
  return header;
}

/**
 * Reads an Exposure: the IMAGE/MASK/VARIANCE layout when present, else the first image HDU with an
 * empty mask and zero variance (how a camera's raw file reads as an Exposure). With a sub-image
 * request only those rows and columns of each plane are read, and the result's x0/y0 is its
 * corner in the parent frame.
 * @throws FitsError when the file holds no image, or planes of different sizes
 * @throws DataIdError (key `bbox`) when the requested box is not inside the image
 */
export async function readExposure(file: FitsFile, sub?: SubImageRequest): Promise<Exposure<PixelArray>> {
  const imageHdu = findExt(file, "IMAGE");
  const metadata = readExposureMetadata(file);
  if (imageHdu === undefined) {
    const hdu = firstImageHdu(file);
    const image = await readPlane(hdu, sub && localRegion(sub, planeExtent(hdu)));
    const mask = new Mask(image.width, image.height);
    const variance = new Image(image.width, image.height, Float32Array);
    for (const plane of [mask, variance]) [plane.x0, plane.y0] = [image.x0, image.y0];
    return new Exposure(new MaskedImage(image, mask, variance), metadata);
  }
  // One region for every plane, from the IMAGE plane's placement: the planes share it.
  const region = sub && localRegion(sub, planeExtent(imageHdu));
  const maskHdu = findExt(file, "MASK");
  const varianceHdu = findExt(file, "VARIANCE");
  const image = await readPlane(imageHdu, region);
  const mask = maskHdu ? await readMask(maskHdu, region) : new Mask(image.width, image.height);
  const variance = varianceHdu
    ? toFloat32(await readPlane(varianceHdu, region), varianceHdu.index)
    : new Image(image.width, image.height, Float32Array);
  try {
    return new Exposure(new MaskedImage(image, mask, variance), metadata);
  } catch (err) {
    throw new FitsError(`inconsistent exposure planes: ${(err as Error).message}`, undefined, undefined, { cause: err });
  }
}

async function readMask(hdu: FitsHdu, region?: LocalRegion): Promise<Mask> {
  const plane = await readPlane(hdu, region);
  if (!(plane.data instanceof Int32Array)) {
    throw new FitsError(`the MASK plane must be 32-bit integers, found ${plane.data.constructor.name}`, hdu.index);
  }
  const planes = new Map<string, number>();
  for (const card of hdu.header.cards) {
    if (card.keyword.startsWith(MASK_PLANE_PREFIX) && typeof card.value === "number") {
      planes.set(card.keyword.slice(MASK_PLANE_PREFIX.length), card.value);
    }
  }
  const mask = new Mask(plane.width, plane.height, plane.data, planes.size > 0 ? planes : undefined);
  mask.x0 = plane.x0;
  mask.y0 = plane.y0;
  return mask;
}

function toFloat32(image: Image<PixelArray>, hdu: number): Image<Float32Array> {
  if (image.data instanceof Float32Array) return image as Image<Float32Array>;
  throw new FitsError(`the VARIANCE plane must be 32-bit floats, found ${image.data.constructor.name}`, hdu);
}

/**
 * Reads a bare Image from the first HDU that holds pixels, or only a sub-image of it.
 * @throws FitsError when there is none
 * @throws DataIdError (key `bbox`) when the requested box is not inside the image
 */
export async function readImage(file: FitsFile, sub?: SubImageRequest): Promise<Image<PixelArray>> {
  const hdu = firstImageHdu(file);
  return readPlane(hdu, sub && localRegion(sub, planeExtent(hdu)));
}
