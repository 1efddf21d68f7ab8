/* Batch norm and ReLU backward: the loops of batch_norm.pyx, one channel (or one span) a call.
 *
 * A channel c of an (N, C, L) array is N rows of L values, stride = C L apart: row n
 * starts at x + n stride. The sums run in double, on LANES independent accumulators
 * (one per column modulo LANES, so the compiler keeps them in vector registers and the
 * adds do not wait on each other); the values past the last full group of a row go to
 * one more accumulator.
 *
 *   sum        sum of x over the channel
 *   sqdev      sum of (x - mean)^2 over the channel (the second pass of the variance)
 *   normalize  y = (x - mean) * scale + shift
 *   sums       sum of g and sum of g (x - mean) over the channel (backward's first pass)
 *   dx         dx = (g - gmean - (x - mean) k) * scale (backward's second pass)
 *   relu       dx = out <= 0 ? 0 : g over n values (PyTorch's threshold_backward at 0:
 *              a NaN in out lets g through, a NaN or inf in g is zeroed where out <= 0)
 *
 * With short rows (L < 16; L = 1 for an (N, C) input) a channel's rows are too short for
 * the accumulators, so a block of channels is walked row by row instead: the M = (channels
 * of the block) L columns side by side, one double accumulator (or coefficient) per column,
 * the loops running along the row. The per-column coefficients are the caller's:
 *
 *   rows_sum     acc[m] += x[n, m]
 *   rows_sqdev   acc[m] += (x[n, m] - mean[m])^2
 *   rows_sums    acc_g[m] += g[n, m],  acc_gx[m] += g[n, m] (x[n, m] - mean[m])
 *   rows_affine  y[n, m] = x[n, m] a[m] + b[m]                              (in double)
 *   rows_dx      dx[n, m] = (g - gmean[m] - (x - mean[m]) k[m]) scale[m]     (in double,
 *                the channel walk's dx: inf and NaN come out where they do there)
 *
 * MG_BN(T, S) defines them for the element type T with the suffix S; they are
 * instantiated for float (_f) and double (_d) below, each compiled for AVX-512, AVX2 and
 * the baseline (target_clones, chosen when the module loads).
 */
#ifndef MINIGRAD_BATCH_NORM_H
#define MINIGRAD_BATCH_NORM_H

#include <Python.h>  /* Py_ssize_t */

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define MG_BN_WIDE __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define MG_BN_WIDE
#endif

#define MG_BN_LANES 16

#define MG_BN(T, S)                                                                     \
MG_BN_WIDE static double mg_bn_sum_##S(const T *restrict x, Py_ssize_t N, Py_ssize_t L, \
                                       Py_ssize_t stride) {                             \
    double acc[MG_BN_LANES] = {0}, rest = 0;                                            \
    for (Py_ssize_t n = 0; n < N; n++) {                                                \
        const T *restrict row = x + n * stride;                                         \
        Py_ssize_t i = 0;                                                               \
        for (; i + MG_BN_LANES <= L; i += MG_BN_LANES)                                  \
            for (int j = 0; j < MG_BN_LANES; j++) acc[j] += row[i + j];                 \
        for (; i < L; i++) rest += row[i];                                              \
    }                                                                                   \
    for (int j = 0; j < MG_BN_LANES; j++) rest += acc[j];                               \
    return rest;                                                                        \
}                                                                                       \
MG_BN_WIDE static double mg_bn_sqdev_##S(const T *restrict x, Py_ssize_t N, Py_ssize_t L, \
                                         Py_ssize_t stride, double mean) {              \
    double acc[MG_BN_LANES] = {0}, rest = 0, d;                                         \
    for (Py_ssize_t n = 0; n < N; n++) {                                                \
        const T *restrict row = x + n * stride;                                         \
        Py_ssize_t i = 0;                                                               \
        for (; i + MG_BN_LANES <= L; i += MG_BN_LANES)                                  \
            for (int j = 0; j < MG_BN_LANES; j++) {                                     \
                d = row[i + j] - mean;                                                  \
                acc[j] += d * d;                                                        \
            }                                                                           \
        for (; i < L; i++) { d = row[i] - mean; rest += d * d; }                        \
    }                                                                                   \
    for (int j = 0; j < MG_BN_LANES; j++) rest += acc[j];                               \
    return rest;                                                                        \
}                                                                                       \
MG_BN_WIDE static void mg_bn_normalize_##S(const T *restrict x, T *restrict y, Py_ssize_t N, \
                                           Py_ssize_t L, Py_ssize_t stride, T mean,     \
                                           T scale, T shift) {                          \
    for (Py_ssize_t n = 0; n < N; n++) {                                                \
        const T *restrict row = x + n * stride;                                         \
        T *restrict out = y + n * stride;                                               \
        for (Py_ssize_t i = 0; i < L; i++) out[i] = (row[i] - mean) * scale + shift;    \
    }                                                                                   \
}                                                                                       \
MG_BN_WIDE static void mg_bn_sums_##S(const T *restrict g, const T *restrict x,         \
                                      Py_ssize_t N, Py_ssize_t L, Py_ssize_t stride,    \
                                      double mean, double *sum_g, double *sum_gx) {     \
    double ag[MG_BN_LANES / 2] = {0}, ax[MG_BN_LANES / 2] = {0}, rg = 0, rx = 0, v;     \
    for (Py_ssize_t n = 0; n < N; n++) {                                                \
        const T *restrict grow = g + n * stride, *restrict xrow = x + n * stride;       \
        Py_ssize_t i = 0;                                                               \
        for (; i + MG_BN_LANES / 2 <= L; i += MG_BN_LANES / 2)                          \
            for (int j = 0; j < MG_BN_LANES / 2; j++) {                                 \
                v = grow[i + j];                                                        \
                ag[j] += v;                                                             \
                ax[j] += v * (xrow[i + j] - mean);                                      \
            }                                                                           \
        for (; i < L; i++) { v = grow[i]; rg += v; rx += v * (xrow[i] - mean); }        \
    }                                                                                   \
    for (int j = 0; j < MG_BN_LANES / 2; j++) { rg += ag[j]; rx += ax[j]; }             \
    *sum_g = rg;                                                                        \
    *sum_gx = rx;                                                                       \
}                                                                                       \
MG_BN_WIDE static void mg_bn_dx_##S(const T *restrict g, const T *restrict x,           \
                                    T *restrict dx, Py_ssize_t N, Py_ssize_t L,         \
                                    Py_ssize_t stride, T mean, T k, T gmean, T scale) { \
    for (Py_ssize_t n = 0; n < N; n++) {                                                \
        const T *restrict grow = g + n * stride, *restrict xrow = x + n * stride;       \
        T *restrict out = dx + n * stride;                                              \
        for (Py_ssize_t i = 0; i < L; i++)                                              \
            out[i] = (grow[i] - gmean - (xrow[i] - mean) * k) * scale;                  \
    }                                                                                   \
}                                                                                       \
MG_BN_WIDE static void mg_relu_backward_##S(const T *restrict g, const T *restrict out, \
                                            T *restrict dx, Py_ssize_t n) {             \
    for (Py_ssize_t i = 0; i < n; i++) dx[i] = out[i] <= 0 ? (T)0 : g[i];               \
}                                                                                       \
MG_BN_WIDE static void mg_bn_rows_sum_##S(const T *restrict x, Py_ssize_t N, Py_ssize_t M, \
                                          Py_ssize_t stride, double *restrict acc) {     \
    for (Py_ssize_t n = 0; n < N; n++)                                                  \
        for (Py_ssize_t m = 0; m < M; m++) acc[m] += x[n * stride + m];                 \
}                                                                                       \
MG_BN_WIDE static void mg_bn_rows_sqdev_##S(const T *restrict x, Py_ssize_t N, Py_ssize_t M, \
                                            Py_ssize_t stride, const double *restrict mean, \
                                            double *restrict acc) {                     \
    for (Py_ssize_t n = 0; n < N; n++)                                                  \
        for (Py_ssize_t m = 0; m < M; m++) {                                            \
            double d = x[n * stride + m] - mean[m];                                     \
            acc[m] += d * d;                                                            \
        }                                                                               \
}                                                                                       \
MG_BN_WIDE static void mg_bn_rows_sums_##S(const T *restrict g, const T *restrict x,    \
                                           Py_ssize_t N, Py_ssize_t M, Py_ssize_t stride, \
                                           const double *restrict mean,                 \
                                           double *restrict acc_g, double *restrict acc_gx) { \
    for (Py_ssize_t n = 0; n < N; n++)                                                  \
        for (Py_ssize_t m = 0; m < M; m++) {                                            \
            double v = g[n * stride + m];                                               \
            acc_g[m] += v;                                                              \
            acc_gx[m] += v * (x[n * stride + m] - mean[m]);                             \
        }                                                                               \
}                                                                                       \
MG_BN_WIDE static void mg_bn_rows_affine_##S(const T *restrict x, T *restrict y, Py_ssize_t N, \
                                             Py_ssize_t M, Py_ssize_t stride,           \
                                             const double *restrict a, const double *restrict b) { \
    for (Py_ssize_t n = 0; n < N; n++)                                                  \
        for (Py_ssize_t m = 0; m < M; m++)                                              \
            y[n * stride + m] = (T)(x[n * stride + m] * a[m] + b[m]);                   \
}                                                                                       \
MG_BN_WIDE static void mg_bn_rows_dx_##S(const T *restrict g, const T *restrict x,       \
                                         T *restrict dx, Py_ssize_t N, Py_ssize_t M,    \
                                         Py_ssize_t stride, const double *restrict mean, \
                                         const double *restrict k, const double *restrict gmean, \
                                         const double *restrict scale) {                \
    for (Py_ssize_t n = 0; n < N; n++)                                                  \
        for (Py_ssize_t m = 0; m < M; m++)                                              \
            dx[n * stride + m] = (T)((g[n * stride + m] - gmean[m]                      \
                                      - (x[n * stride + m] - mean[m]) * k[m]) * scale[m]); \
}

MG_BN(float, f)
MG_BN(double, d)

#endif
