/**
 * Media types by file name, for object responses and pfstorage's `content_type` field.
 *
 * @packageDocumentation
 */

const TYPES: Record<string, string> = {
  fits: "application/fits",
  fit: "application/fits",
  fz: "application/fits",
  json: "application/json",
  yaml: "application/yaml",
  yml: "application/yaml",
  txt: "text/plain",
  py: "text/x-python",
  csv: "text/csv",
  html: "text/html",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gz: "application/gzip",
  sqlite3: "application/vnd.sqlite3",
  dcm: "application/dicom",
};

/** The media type for a key or file name, by its extension; `application/octet-stream` when unknown. */
export function contentTypeOf(name: string): string {
  const dot = name.lastIndexOf(".");
  if (dot < 0 || dot < name.lastIndexOf("/")) return "application/octet-stream";
  return TYPES[name.slice(dot + 1).toLowerCase()] ?? "application/octet-stream";
}
