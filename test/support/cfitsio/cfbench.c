/*
 * CFITSIO timings for bench/fits-bench.ts: each command does one operation and prints the seconds
 * it took (data generation and process start-up excluded), so the Node benchmark compares like
 * with like.
 *   cfbench img-write FILE N     N×N float32 image
 *   cfbench img-read FILE        the primary image as float32
 *   cfbench tab-write FILE ROWS  columns int64, float64, float64, float32, int32
 *   cfbench tab-read FILE        those five columns of HDU 2
 *   cfbench i16-read FILE HDU    an int16 image (e.g. RICE-compressed) of HDU (1-based)
 */
#include <fitsio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static void check(int status) {
  if (status) {
    fits_report_error(stderr, status);
    exit(2);
  }
}

int main(int argc, char **argv) {
  int status = 0, anynul = 0, hdutype;
  fitsfile *f;
  char name[4096];
  if (argc < 3) return 2;
  const char *op = argv[1];
  if (!strcmp(op, "img-write")) {
    long n = atol(argv[3]), naxes[2] = {n, n};
    float *data = malloc(sizeof(float) * n * n);
    for (long i = 0; i < n * n; i++) data[i] = (i % 9973) * 0.25f - 100;
    snprintf(name, sizeof name, "!%s", argv[2]);
    double t = now();
    fits_create_file(&f, name, &status);
    fits_create_img(f, FLOAT_IMG, 2, naxes, &status);
    fits_write_img(f, TFLOAT, 1, n * n, data, &status);
    fits_close_file(f, &status);
    check(status);
    printf("%.6f\n", now() - t);
  } else if (!strcmp(op, "img-read") || !strcmp(op, "i16-read")) {
    int hdu = argc > 3 ? atoi(argv[3]) : 1, shorts = !strcmp(op, "i16-read");
    double t = now();
    long naxes[2] = {0, 0};
    fits_open_file(&f, argv[2], READONLY, &status);
    fits_movabs_hdu(f, hdu, &hdutype, &status);
    fits_get_img_size(f, 2, naxes, &status);
    LONGLONG n = (LONGLONG)naxes[0] * naxes[1];
    void *data = malloc((shorts ? 2 : 4) * n);
    fits_read_img(f, shorts ? TSHORT : TFLOAT, 1, n, NULL, data, &anynul, &status);
    fits_close_file(f, &status);
    check(status);
    printf("%.6f\n", now() - t);
  } else if (!strcmp(op, "tab-write")) {
    long rows = atol(argv[3]);
    long long *k = malloc(8 * rows);
    double *d1 = malloc(8 * rows), *d2 = malloc(8 * rows);
    float *e = malloc(4 * rows);
    int *j = malloc(4 * rows);
    for (long i = 0; i < rows; i++) {
      k[i] = i * 1000003LL;
      d1[i] = i * 0.001;
      d2[i] = -i * 1.5;
      e[i] = i * 0.25f;
      j[i] = (int)i;
    }
    char *ttype[] = {"id", "ra", "dec", "flux", "flags"}, *tform[] = {"K", "D", "D", "E", "J"};
    snprintf(name, sizeof name, "!%s", argv[2]);
    double t = now();
    fits_create_file(&f, name, &status);
    fits_create_img(f, BYTE_IMG, 0, NULL, &status);
    fits_create_tbl(f, BINARY_TBL, rows, 5, ttype, tform, NULL, "CAT", &status);
    fits_write_col(f, TLONGLONG, 1, 1, 1, rows, k, &status);
    fits_write_col(f, TDOUBLE, 2, 1, 1, rows, d1, &status);
    fits_write_col(f, TDOUBLE, 3, 1, 1, rows, d2, &status);
    fits_write_col(f, TFLOAT, 4, 1, 1, rows, e, &status);
    fits_write_col(f, TINT, 5, 1, 1, rows, j, &status);
    fits_close_file(f, &status);
    check(status);
    printf("%.6f\n", now() - t);
  } else if (!strcmp(op, "tab-read")) {
    double t = now();
    long rows;
    fits_open_file(&f, argv[2], READONLY, &status);
    fits_movabs_hdu(f, 2, &hdutype, &status);
    fits_get_num_rows(f, &rows, &status);
    long long *k = malloc(8 * rows);
    double *d1 = malloc(8 * rows), *d2 = malloc(8 * rows);
    float *e = malloc(4 * rows);
    int *j = malloc(4 * rows);
    fits_read_col(f, TLONGLONG, 1, 1, 1, rows, NULL, k, &anynul, &status);
    fits_read_col(f, TDOUBLE, 2, 1, 1, rows, NULL, d1, &anynul, &status);
    fits_read_col(f, TDOUBLE, 3, 1, 1, rows, NULL, d2, &anynul, &status);
    fits_read_col(f, TFLOAT, 4, 1, 1, rows, NULL, e, &anynul, &status);
    fits_read_col(f, TINT, 5, 1, 1, rows, NULL, j, &anynul, &status);
    fits_close_file(f, &status);
    check(status);
    printf("%.6f\n", now() - t);
  } else {
    return 2;
  }
  return 0;
}
