/*
 * Dumps what CFITSIO reads, for comparison with skybutler's reader (little-endian x86 output).
 *   cfdump image    FILE HDUNUM TYPE [FPIX LPIX]   pixels (comma-separated 1-based corners)
 *   cfdump column   FILE HDUNUM COLNAME TYPE       a column; VLA: per row int64 length + values
 *   cfdump checksum FILE                           "dataok hduok" per HDU (fits_verify_chksum)
 * TYPE: u8 i8 i16 u16 i32 u32 i64 u64 f32 f64 c64 c128 bit log str. Float reads use NaN for
 * undefined values (and so turn ±Inf into NaN too); a type ending in '!' reads columns raw.
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

static int type_code(const char *t, size_t *size) {
  struct { const char *name; int code; size_t size; } types[] = {
    {"u8", TBYTE, 1}, {"i8", TSBYTE, 1}, {"i16", TSHORT, 2}, {"u16", TUSHORT, 2}, {"i32", TINT, 4},
    {"u32", TUINT, 4}, {"i64", TLONGLONG, 8}, {"u64", TULONGLONG, 8}, {"f32", TFLOAT, 4},
    {"f64", TDOUBLE, 8}, {"c64", TCOMPLEX, 8}, {"c128", TDBLCOMPLEX, 16}, {"bit", TBIT, 1},
    {"log", TLOGICAL, 1}};
  for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
    if (!strcmp(t, types[i].name)) { *size = types[i].size; return types[i].code; }
  fprintf(stderr, "unknown type %s\n", t);
  exit(2);
}

/* A null value that makes CFITSIO check for undefined values: NaN for floats, none for ints. */
static void *null_value(int code) {
  static float fnan;
  static double dnan;
  fnan = NAN;
  dnan = NAN;
  if (code == TFLOAT || code == TCOMPLEX) return &fnan;
  if (code == TDOUBLE || code == TDBLCOMPLEX) return &dnan;
  return NULL;
}

static int parse_list(const char *s, long *out) {
  int n = 0;
  char *copy = strdup(s), *tok = strtok(copy, ",");
  for (; tok; tok = strtok(NULL, ",")) out[n++] = atol(tok);
  free(copy);
  return n;
}

static void dump_image(int argc, char **argv) {
  fitsfile *f;
  int status = 0, anynul = 0, naxis = 0, hdutype;
  long naxes[9] = {0}, fpix[9], lpix[9], inc[9];
  size_t size;
  int code = type_code(argv[4], &size);
  if (fits_open_file(&f, argv[2], READONLY, &status)) die(status, "open");
  if (fits_movabs_hdu(f, atoi(argv[3]), &hdutype, &status)) die(status, "move");
  if (fits_get_img_dim(f, &naxis, &status) || fits_get_img_size(f, 9, naxes, &status)) die(status, "size");
  LONGLONG n = 1;
  if (argc > 6) {
    parse_list(argv[5], fpix);
    parse_list(argv[6], lpix);
    for (int i = 0; i < naxis; i++) { inc[i] = 1; n *= lpix[i] - fpix[i] + 1; }
  } else {
    for (int i = 0; i < naxis; i++) n *= naxes[i];
  }
  void *buf = malloc(n * size + 1);
  if (argc > 6) fits_read_subset(f, code, fpix, lpix, inc, null_value(code), buf, &anynul, &status);
  else fits_read_img(f, code, 1, n, null_value(code), buf, &anynul, &status);
  if (status) die(status, "read");
  fwrite(buf, size, n, stdout);
  fits_close_file(f, &status);
}

static void dump_column(char **argv) {
  fitsfile *f;
  int status = 0, anynul = 0, hdutype, col, typecode;
  long repeat, width, nrows;
  fits_open_file(&f, argv[2], READONLY, &status);
  fits_movabs_hdu(f, atoi(argv[3]), &hdutype, &status);
  fits_get_colnum(f, CASEINSEN, argv[4], &col, &status);
  fits_get_num_rows(f, &nrows, &status);
  fits_get_eqcoltype(f, col, &typecode, &repeat, &width, &status);
  if (status) die(status, "column");
  if (!strcmp(argv[5], "str")) {
    char *value = malloc(width + 1);
    for (long r = 1; r <= nrows; r++) {
      fits_read_col(f, TSTRING, col, r, 1, 1, "", &value, &anynul, &status);
      fwrite(value, 1, strlen(value) + 1, stdout);
    }
    if (status) die(status, "read");
    fits_close_file(f, &status);
    return;
  }
  /* CFITSIO's null check flags any all-ones exponent, Inf included: complex values and types
     ending in '!' are read raw, without it. */
  size_t size, len = strlen(argv[5]);
  int raw = argv[5][len - 1] == '!';
  if (raw) argv[5][len - 1] = 0;
  int code = type_code(argv[5], &size);
  double zero = 0;
  void *nulval = raw || code == TCOMPLEX || code == TDBLCOMPLEX ? (void *)&zero : null_value(code);
  if (typecode < 0) { /* variable-length: per row its length, then its values */
    for (long r = 1; r <= nrows; r++) {
      long len, offset;
      fits_read_descript(f, col, r, &len, &offset, &status);
      long long len64 = len;
      fwrite(&len64, 8, 1, stdout);
      void *buf = malloc(len * size + 1);
      if (len > 0) fits_read_col(f, code, col, r, 1, len, nulval, buf, &anynul, &status);
      fwrite(buf, size, len, stdout);
      free(buf);
    }
  } else {
    LONGLONG n = (LONGLONG)repeat * nrows;
    char *buf = malloc(n * size + 1);
    if (code == TBIT) /* bits are read row by row: fits_read_col_bit stays within a row */
      for (long r = 1; r <= nrows && repeat > 0; r++) fits_read_col_bit(f, col, r, 1, repeat, buf + (r - 1) * repeat, &status);
    else if (n > 0) fits_read_col(f, code, col, 1, 1, n, nulval, buf, &anynul, &status);
    fwrite(buf, size, n, stdout);
  }
  if (status) die(status, "read");
  fits_close_file(f, &status);
}

static void dump_checksums(char **argv) {
  fitsfile *f;
  int status = 0, hdutype, dataok, hduok;
  fits_open_file(&f, argv[2], READONLY, &status);
  for (int n = 1; !status && !fits_movabs_hdu(f, n, &hdutype, &status); n++) {
    fits_verify_chksum(f, &dataok, &hduok, &status);
    printf("%d %d\n", dataok, hduok);
  }
  if (status == END_OF_FILE) status = 0;
  if (status) die(status, "checksum");
}

int main(int argc, char **argv) {
  if (argc >= 5 && !strcmp(argv[1], "image")) dump_image(argc, argv);
  else if (argc >= 6 && !strcmp(argv[1], "column")) dump_column(argv);
  else if (argc >= 3 && !strcmp(argv[1], "checksum")) dump_checksums(argv);
  else { fprintf(stderr, "usage: see the comment in cfdump.c\n"); return 2; }
  return 0;
}
