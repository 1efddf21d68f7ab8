/* Winograd F(2x2, 3x3): the tile transforms of winograd.pyx, a row of tiles at a time.
 *
 * Written in C so that `restrict` lets the compiler vectorize across the tiles of a row.
 * The 4 input rows of a row of tiles are first copied, zero-padded, and split into their
 * even and odd columns (TW + 1 each), so that every access is contiguous: tile x reads
 * columns 2x..2x+3 = even[x], odd[x], even[x+1], odd[x+1]. The output rows are written
 * the same way, even and odd columns apart, then interleaved (merge).
 *
 *   split   even[x] = row[2x], odd[x] = row[2x + 1]
 *   input   v = B^T d B for each 4x4 tile d (16 rows of v, vs apart)
 *   output  the 2x2 tile A^T m A (+ b) from the 16 products m (ms apart)
 *   grad    z = A g A^T for each 2x2 tile g of the output gradient: the adjoint of output
 *   merge   row[2x] = even[x], row[2x + 1] = odd[x]
 *
 * MG_WINO(T, S) defines the five functions for the element type T with the suffix S;
 * they are instantiated for float (_f) and double (_d) below.
 */
#ifndef MINIGRAD_WINOGRAD_H
#define MINIGRAD_WINOGRAD_H

#include <Python.h>  /* Py_ssize_t */

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define MG_WIDE __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define MG_WIDE
#endif

#define MG_WINO(T, S)                                                                   \
MG_WIDE static void mg_wino_split_##S(const T *restrict row, T *restrict even, T *restrict odd, \
                              Py_ssize_t n) {                                           \
    for (Py_ssize_t x = 0; x < n; x++) { even[x] = row[2 * x]; odd[x] = row[2 * x + 1]; } \
}                                                                                       \
MG_WIDE static void mg_wino_input_##S(const T *restrict r, Py_ssize_t rs, T *restrict t,       \
                              T *restrict v, Py_ssize_t vs, Py_ssize_t tw) {            \
    for (int p = 0; p < 2; p++) {               /* t = B^T d on the even, odd columns */ \
        const T *restrict d0 = r + p * rs, *restrict d1 = r + (2 + p) * rs;             \
        const T *restrict d2 = r + (4 + p) * rs, *restrict d3 = r + (6 + p) * rs;       \
        T *restrict t0 = t + p * rs, *restrict t1 = t + (2 + p) * rs;                   \
        T *restrict t2 = t + (4 + p) * rs, *restrict t3 = t + (6 + p) * rs;             \
        for (Py_ssize_t x = 0; x < rs; x++) {                                           \
            t0[x] = d0[x] - d2[x]; t1[x] = d1[x] + d2[x];                               \
            t2[x] = d2[x] - d1[x]; t3[x] = d1[x] - d3[x];                               \
        }                                                                               \
    }                                                                                   \
    for (int i = 0; i < 4; i++) {               /* v = t B, tile x on columns 2x.. */   \
        const T *restrict e = t + 2 * i * rs, *restrict o = t + (2 * i + 1) * rs;       \
        T *restrict v0 = v + 4 * i * vs, *restrict v1 = v + (4 * i + 1) * vs;           \
        T *restrict v2 = v + (4 * i + 2) * vs, *restrict v3 = v + (4 * i + 3) * vs;     \
        for (Py_ssize_t x = 0; x < tw; x++) {                                           \
            v0[x] = e[x] - e[x + 1]; v1[x] = o[x] + e[x + 1];                           \
            v2[x] = e[x + 1] - o[x]; v3[x] = o[x] - o[x + 1];                           \
        }                                                                               \
    }                                                                                   \
}                                                                                       \
MG_WIDE static void mg_wino_output_##S(const T *restrict m, Py_ssize_t ms, T *restrict y,       \
                               Py_ssize_t tw, T b) {                                    \
    for (Py_ssize_t x = 0; x < tw; x++) {                                               \
        T s[8];                                                                         \
        for (int j = 0; j < 4; j++) {                                                   \
            T m1 = m[(4 + j) * ms + x], m2 = m[(8 + j) * ms + x];                       \
            s[j] = m[j * ms + x] + m1 + m2;                                             \
            s[4 + j] = m1 - m2 - m[(12 + j) * ms + x];                                  \
        }                                                                               \
        for (int i = 0; i < 2; i++) {                                                   \
            y[(2 * i) * tw + x] = s[4 * i] + s[4 * i + 1] + s[4 * i + 2] + b;           \
            y[(2 * i + 1) * tw + x] = s[4 * i + 1] - s[4 * i + 2] - s[4 * i + 3] + b;   \
        }                                                                               \
    }                                                                                   \
}                                                                                       \
MG_WIDE static void mg_wino_grad_##S(const T *restrict r, Py_ssize_t tw, T *restrict z,         \
                             Py_ssize_t zs) {                                           \
    const T *restrict e0 = r, *restrict o0 = r + tw;                                    \
    const T *restrict e1 = r + 2 * tw, *restrict o1 = r + 3 * tw;                       \
    for (int i = 0; i < 4; i++) {         /* row i of A g: g0, g0 + g1, g0 - g1, -g1 */ \
        T a = i == 3 ? 0 : 1, b = i == 0 ? 0 : (i == 1 ? 1 : -1);                       \
        T *restrict z0 = z + 4 * i * zs, *restrict z1 = z + (4 * i + 1) * zs;           \
        T *restrict z2 = z + (4 * i + 2) * zs, *restrict z3 = z + (4 * i + 3) * zs;     \
        for (Py_ssize_t x = 0; x < tw; x++) {                                           \
            T e = a * e0[x] + b * e1[x], o = a * o0[x] + b * o1[x];                     \
            z0[x] = e; z1[x] = e + o; z2[x] = e - o; z3[x] = -o;                        \
        }                                                                               \
    }                                                                                   \
}                                                                                       \
MG_WIDE static void mg_wino_merge_##S(const T *restrict even, const T *restrict odd,            \
                              T *restrict row, Py_ssize_t n) {                          \
    for (Py_ssize_t x = 0; x < n; x++) { row[2 * x] = even[x]; row[2 * x + 1] = odd[x]; } \
}
MG_WINO(float, f)
MG_WINO(double, d)

#endif
