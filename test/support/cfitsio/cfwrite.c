/*
 * Writes files with CFITSIO for skybutler's reader to read:
 *   cfwrite compressed OUT RAW TYPE DIMS COMP TILE QLEVEL DITHER SEED
 *     a tile-compressed image from RAW (native bytes of TYPE: u8 i16 u16 i32 f32 f64), DIMS and
 *     TILE comma-separated (FITS order), COMP one of RICE_1 GZIP_1 GZIP_2 PLIO_1, QLEVEL the
 *     quantize level (0: lossless), DITHER -1 (NO_DITHER), 1 or 2 (SUBTRACTIVE_DITHER_1/_2).
 *     NaNs in float input become ZBLANK.
 *   cfwrite checksum FILE   adds CHECKSUM/DATASUM to every HDU (fits_write_chksum)
 */
#include <fitsio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die(int status, const char *what) {
  fprintf(stderr, "%s: ", what);
  fits_report_error(stderr, status);
  exit(2);
}

static int parse_list(const char *s, long *out) {
  int n = 0;
  char *copy = strdup(s), *tok = strtok(copy, ",");
  for (; tok; tok = strtok(NULL, ",")) out[n++] = atol(tok);
  free(copy);
  return n;
}

static void compressed(char **argv) {
  struct { const char *name; int datatype, bitpix; size_t size; } types[] = {
    {"u8", TBYTE, BYTE_IMG, 1}, {"i16", TSHORT, SHORT_IMG, 2}, {"u16", TUSHORT, USHORT_IMG, 2},
    {"i32", TINT, LONG_IMG, 4}, {"f32", TFLOAT, FLOAT_IMG, 4}, {"f64", TDOUBLE, DOUBLE_IMG, 8}};
  struct { const char *name; int code; } comps[] = {
    {"RICE_1", RICE_1}, {"GZIP_1", GZIP_1}, {"GZIP_2", GZIP_2}, {"PLIO_1", PLIO_1}};
  int t = -1, c = -1, status = 0;
  for (int i = 0; i < 6; i++) if (!strcmp(argv[4], types[i].name)) t = i;
  for (int i = 0; i < 4; i++) if (!strcmp(argv[6], comps[i].name)) c = i;
  if (t < 0 || c < 0) { fprintf(stderr, "bad type or compression\n"); exit(2); }
  long dims[9], tile[9];
  int naxis = parse_list(argv[5], dims);
  parse_list(argv[7], tile);
  LONGLONG n = 1;
  for (int i = 0; i < naxis; i++) n *= dims[i];
  void *buf = malloc(n * types[t].size + 1);
  FILE *in = fopen(argv[3], "rb");
  if (!in || fread(buf, types[t].size, n, in) != (size_t)n) { fprintf(stderr, "short input\n"); exit(2); }
  fclose(in);
  fitsfile *f;
  char name[4096];
  snprintf(name, sizeof name, "!%s", argv[2]);
  fits_create_file(&f, name, &status);
  fits_create_img(f, BYTE_IMG, 0, NULL, &status);
  fits_set_compression_type(f, comps[c].code, &status);
  fits_set_tile_dim(f, naxis, tile, &status);
  fits_set_quantize_level(f, (float)atof(argv[8]), &status);
  int dither = atoi(argv[9]);
  fits_set_quantize_method(f, dither == -1 ? NO_DITHER : dither, &status);
  fits_set_dither_seed(f, atoi(argv[10]), &status);
  fits_create_img(f, types[t].bitpix, naxis, dims, &status);
  if (types[t].datatype == TFLOAT || types[t].datatype == TDOUBLE) {
    /* NaNs become ZBLANK only through a null value: mark them with CFITSIO's own. */
    float fnull = FLOATNULLVALUE;
    double dnull = DOUBLENULLVALUE;
    for (LONGLONG i = 0; i < n; i++) {
      if (types[t].datatype == TFLOAT && isnan(((float *)buf)[i])) ((float *)buf)[i] = fnull;
      if (types[t].datatype == TDOUBLE && isnan(((double *)buf)[i])) ((double *)buf)[i] = dnull;
    }
    fits_write_imgnull(f, types[t].datatype, 1, n, buf, types[t].datatype == TFLOAT ? (void *)&fnull : (void *)&dnull, &status);
  } else {
    fits_write_img(f, types[t].datatype, 1, n, buf, &status);
  }
  fits_close_file(f, &status);
  if (status) die(status, "write");
}

static void checksum(char **argv) {
  fitsfile *f;
  int status = 0, hdutype;
  fits_open_file(&f, argv[2], READWRITE, &status);
  for (int n = 1; !status && !fits_movabs_hdu(f, n, &hdutype, &status); n++) fits_write_chksum(f, &status);
  if (status == END_OF_FILE) status = 0;
  fits_close_file(f, &status);
  if (status) die(status, "checksum");
}

int main(int argc, char **argv) {
  if (argc == 11 && !strcmp(argv[1], "compressed")) compressed(argv);
  else if (argc == 3 && !strcmp(argv[1], "checksum")) checksum(argv);
  else { fprintf(stderr, "usage: see the comment in cfwrite.c\n"); return 2; }
  return 0;
}
