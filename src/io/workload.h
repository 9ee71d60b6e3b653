/* workload: the rank-score benchmark's input (../shared/bench/WORKLOAD.md) read into arrays:
 * indicators.csv (code,direction,weight) and values.csv (indicator,region,period,value).
 * A fast path for that fixed numeric format: one pass over a mapped file, no per-row
 * allocation; codes become dense indexes in order of first appearance. */
#ifndef SAIMA_WORKLOAD_H
#define SAIMA_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#define IO_WORKLOAD_CODE_MAX 32

typedef struct io_workload {
    size_t nind;
    char (*ind_code)[IO_WORKLOAD_CODE_MAX];
    unsigned char *ind_higher;   /* 1 when higher is better */
    int *ind_weight;
    size_t nreg;
    char (*reg_code)[IO_WORKLOAD_CODE_MAX];
    size_t nper;
    long *per_label;             /* the period numbers as written, by index */
    size_t n;                    /* values */
    uint32_t *ind, *reg, *per;   /* per value: indexes */
    double *value;
} io_workload;

/* Reads dir/indicators.csv and dir/values.csv into w (zeroed by the call; release with
 * io_workload_free). Returns 0, or ERR_IO / ERR_DATA naming the file and line. */
int io_workload_load(const char *dir, io_workload *w);

/* Releases the arrays of w; a zeroed w is fine. */
void io_workload_free(io_workload *w);

#endif
