/* Winograd F(2x2, 3x3): the tile transforms of winograd.pyx, a row of tiles at a time.
 *
 * Written in C so that `restrict` lets the compiler vectorize across the tiles of a row.
 * The input transform reads the 4 input rows of a row of tiles where they are (columns
 * lo..hi-1 of the 2 TW + 2 the tiles span; the rest is zero padding), down the rows
 * into t, then along t: tile x reads columns 2x..2x+3, loads of stride 2. With AVX-512,
 * mg_wino_input_avx512 does the same for 16 tiles at a time in registers: the reload of
 * t just stored, at another alignment, stalls (store forwarding fails), and at ResNet's
 * widths (16 tiles or fewer a row) the stall was most of the transform's time. The output
 * rows are written even and odd columns apart, then interleaved (merge).
 *
 *   split   even[x] = row[2x], odd[x] = row[2x + 1]
 *   input   v = B^T d B for each 4x4 tile d (16 rows of v, vs apart); a zero row of
 *           the padding is a row of zeros passed in
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
MG_WIDE static void mg_wino_input_##S(const T *restrict d0, const T *restrict d1,               \
                              const T *restrict d2, const T *restrict d3,               \
                              Py_ssize_t lo, Py_ssize_t hi, T *restrict t,              \
                              T *restrict v, Py_ssize_t vs, Py_ssize_t tw) {            \
    Py_ssize_t rs = 2 * tw + 2;                                                         \
    T *restrict t0 = t, *restrict t1 = t + rs, *restrict t2 = t + 2 * rs;               \
    T *restrict t3 = t + 3 * rs;                                                        \
    for (Py_ssize_t x = 0; x < lo; x++) { t0[x] = 0; t1[x] = 0; t2[x] = 0; t3[x] = 0; } \
    for (Py_ssize_t x = hi; x < rs; x++) { t0[x] = 0; t1[x] = 0; t2[x] = 0; t3[x] = 0; } \
    for (Py_ssize_t x = lo; x < hi; x++) {      /* t = B^T d, down the rows */          \
        t0[x] = d0[x - lo] - d2[x - lo]; t1[x] = d1[x - lo] + d2[x - lo];               \
        t2[x] = d2[x - lo] - d1[x - lo]; t3[x] = d1[x - lo] - d3[x - lo];               \
    }                                                                                   \
    for (int i = 0; i < 4; i++) {               /* v = t B, tile x on columns 2x.. */   \
        const T *restrict e = t + i * rs;                                               \
        T *restrict v0 = v + 4 * i * vs, *restrict v1 = v + (4 * i + 1) * vs;           \
        T *restrict v2 = v + (4 * i + 2) * vs, *restrict v3 = v + (4 * i + 3) * vs;     \
        for (Py_ssize_t x = 0; x < tw; x++) {                                           \
            v0[x] = e[2 * x] - e[2 * x + 2]; v1[x] = e[2 * x + 1] + e[2 * x + 2];       \
            v2[x] = e[2 * x + 2] - e[2 * x + 1]; v3[x] = e[2 * x + 1] - e[2 * x + 3];   \
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

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#include <immintrin.h>

/* 16 lanes of a row given at columns 0..n-1 (zero elsewhere) from column k on: the
 * lanes outside are masked, so nothing outside the row is read. */
__attribute__((target("avx512f"))) static inline __m512 mg_wino_cols(const float *d, Py_ssize_t k,
                                                                   Py_ssize_t n) {
    Py_ssize_t a = k < 0 ? -k : 0, b = n - k < 16 ? n - k : 16;
    __mmask16 m = b <= a ? 0 : (__mmask16)(((1u << (b - a)) - 1) << a);
    return _mm512_maskz_loadu_ps(m, d + k);
}

/* mg_wino_input_f, 16 tiles at a time: for each row, the columns 2x, 2x+1, 2x+2, 2x+3 of
 * the tiles x0..x0+15 (E, O, E2, O2) picked out of 48 loaded columns by permutes. */
__attribute__((target("avx512f"))) static void mg_wino_input_avx512(
        const float *d0, const float *d1, const float *d2, const float *d3, Py_ssize_t lo,
        Py_ssize_t hi, float *v, Py_ssize_t vs, Py_ssize_t tw) {
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    const __m512i next = _mm512_setr_epi32(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
    const __m512i next_odd = _mm512_setr_epi32(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17);
    const float *d[4] = {d0, d1, d2, d3};
    Py_ssize_t n = hi - lo;
    for (Py_ssize_t x0 = 0; x0 < tw; x0 += 16) {
        Py_ssize_t k = 2 * x0 - lo;
        __m512 e[4], o[4], e2[4], o2[4];
        for (int r = 0; r < 4; r++) {
            __m512 a = mg_wino_cols(d[r], k, n), b = mg_wino_cols(d[r], k + 16, n);
            __m512 c = mg_wino_cols(d[r], k + 32, n);
            e[r] = _mm512_permutex2var_ps(a, even, b);
            o[r] = _mm512_permutex2var_ps(a, odd, b);
            e2[r] = _mm512_permutex2var_ps(e[r], next, c);
            o2[r] = _mm512_permutex2var_ps(o[r], next_odd, c);
        }
        __mmask16 m = tw - x0 >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (tw - x0)) - 1);
        __m512 *cols[4] = {e, o, e2, o2};
        __m512 t[4][4];                            /* t[i][j] = (B^T d)[i], column 2x + j */
        for (int j = 0; j < 4; j++) {
            __m512 *q = cols[j];
            t[0][j] = _mm512_sub_ps(q[0], q[2]);
            t[1][j] = _mm512_add_ps(q[1], q[2]);
            t[2][j] = _mm512_sub_ps(q[2], q[1]);
            t[3][j] = _mm512_sub_ps(q[1], q[3]);
        }
        for (int i = 0; i < 4; i++) {
            float *vi = v + 4 * i * vs + x0;
            _mm512_mask_storeu_ps(vi, m, _mm512_sub_ps(t[i][0], t[i][2]));
            _mm512_mask_storeu_ps(vi + vs, m, _mm512_add_ps(t[i][1], t[i][2]));
            _mm512_mask_storeu_ps(vi + 2 * vs, m, _mm512_sub_ps(t[i][2], t[i][1]));
            _mm512_mask_storeu_ps(vi + 3 * vs, m, _mm512_sub_ps(t[i][1], t[i][3]));
        }
    }
}
/* mg_wino_output_f and the merge, 16 tiles at a time, into the output rows themselves:
 * row0 (and row1, when not NULL) get the tiles' 2x2 outputs (+ b), columns 0..ow-1. */
__attribute__((target("avx512f"))) static void mg_wino_output_avx512(
        const float *m, Py_ssize_t ms, float *row0, float *row1, Py_ssize_t ow, Py_ssize_t tw,
        float b) {
    const __m512i lo = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const __m512i hi = _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    const __m512 bias = _mm512_set1_ps(b);
    for (Py_ssize_t x0 = 0; x0 < tw; x0 += 16) {
        __mmask16 m_in = tw - x0 >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (tw - x0)) - 1);
        __m512 s[8];                               /* s = (A^T m) rows 0 and 1, per column */
        for (int j = 0; j < 4; j++) {
            __m512 m0 = _mm512_maskz_loadu_ps(m_in, m + j * ms + x0);
            __m512 m1 = _mm512_maskz_loadu_ps(m_in, m + (4 + j) * ms + x0);
            __m512 m2 = _mm512_maskz_loadu_ps(m_in, m + (8 + j) * ms + x0);
            __m512 m3 = _mm512_maskz_loadu_ps(m_in, m + (12 + j) * ms + x0);
            s[j] = _mm512_add_ps(_mm512_add_ps(m0, m1), m2);
            s[4 + j] = _mm512_sub_ps(_mm512_sub_ps(m1, m2), m3);
        }
        Py_ssize_t c0 = 2 * x0, left = ow - c0;    /* columns c0.. of the rows, left of them */
        __mmask16 k0 = left >= 16 ? (__mmask16)0xFFFF : left <= 0 ? 0 : (__mmask16)((1u << left) - 1);
        __mmask16 k1 = left >= 32 ? (__mmask16)0xFFFF : left <= 16 ? 0 : (__mmask16)((1u << (left - 16)) - 1);
        for (int i = 0; i < 2; i++) {
            float *row = i == 0 ? row0 : row1;
            if (row == NULL)
                break;
            __m512 *t = s + 4 * i;
            __m512 even = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(t[0], t[1]), t[2]), bias);
            __m512 odd = _mm512_add_ps(_mm512_sub_ps(_mm512_sub_ps(t[1], t[2]), t[3]), bias);
            _mm512_mask_storeu_ps(row + c0, k0, _mm512_permutex2var_ps(even, lo, odd));
            _mm512_mask_storeu_ps(row + c0 + 16, k1, _mm512_permutex2var_ps(even, hi, odd));
        }
    }
}
/* The transformed kernels u[plane[4a + b] * n + r * cols + c] = (G g G^T)[a, b] of the
 * kernels g = w[9 (r rs + c cs) ..] (3x3 each), r < rows, c < cols: 16 of a row r at a time, a
 * gather picking one tap of the 16 (any stride), then adds and halvings (t = G g, u =
 * t G^T). conv2d takes (rs, cs) = (C, 1); the flipped kernel, whose kernel (o, c) is the
 * weight's (c, o), (1, O) with the planes of its flipped taps. Replaces a GEMM (16, 9) @
 * (9, O C) that the BLAS runs far below peak (depth 9, the weight packed on every call),
 * and the transpose the flipped kernel needed after it. */
__attribute__((target("avx512f"))) static void mg_wino_kernels_avx512(
        const float *w, Py_ssize_t rows, Py_ssize_t cols, Py_ssize_t rs, Py_ssize_t cs,
        const Py_ssize_t *plane, float *u, Py_ssize_t n) {
    const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i taps = _mm512_mullo_epi32(lanes, _mm512_set1_epi32((int)(9 * cs)));
    const __m512 half = _mm512_set1_ps(0.5f);
    for (Py_ssize_t r = 0; r < rows; r++) {
        for (Py_ssize_t c0 = 0; c0 < cols; c0 += 16) {
            __mmask16 m = cols - c0 >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (cols - c0)) - 1);
            const float *g0p = w + 9 * (r * rs + c0 * cs);
            __m512 g[9], t[4][3];
            for (int j = 0; j < 9; j++)
                g[j] = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, taps, g0p + j, 4);
            for (int c = 0; c < 3; c++) {           /* t = G g, column c */
                __m512 a0 = g[c], a1 = g[3 + c], a2 = g[6 + c];
                t[0][c] = a0;
                t[1][c] = _mm512_mul_ps(half, _mm512_add_ps(_mm512_add_ps(a0, a1), a2));
                t[2][c] = _mm512_mul_ps(half, _mm512_add_ps(_mm512_sub_ps(a0, a1), a2));
                t[3][c] = a2;
            }
            float *dst = u + r * cols + c0;
            for (int a = 0; a < 4; a++) {           /* u = t G^T, row a */
                __m512 t0 = t[a][0], t1 = t[a][1], t2 = t[a][2];
                _mm512_mask_storeu_ps(dst + plane[4 * a] * n, m, t0);
                _mm512_mask_storeu_ps(dst + plane[4 * a + 1] * n, m,
                                      _mm512_mul_ps(half, _mm512_add_ps(_mm512_add_ps(t0, t1), t2)));
                _mm512_mask_storeu_ps(dst + plane[4 * a + 2] * n, m,
                                      _mm512_mul_ps(half, _mm512_add_ps(_mm512_sub_ps(t0, t1), t2)));
                _mm512_mask_storeu_ps(dst + plane[4 * a + 3] * n, m, t2);
            }
        }
    }
}
/* mg_wino_grad_f reading the output gradient's rows in place, 16 tiles at a time: z[e *
 * zs + x] = (A g A^T)[e] for the 2x2 tiles of row0 and row1 (NULL: zeros), columns
 * 0..ow-1 (zero past them). */
__attribute__((target("avx512f"))) static void mg_wino_grad_avx512(
        const float *row0, const float *row1, Py_ssize_t ow, Py_ssize_t tw, float *z,
        Py_ssize_t zs) {
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    for (Py_ssize_t x0 = 0; x0 < tw; x0 += 16) {
        Py_ssize_t c0 = 2 * x0, left = ow - c0;
        __mmask16 k0 = left >= 16 ? (__mmask16)0xFFFF : left <= 0 ? 0 : (__mmask16)((1u << left) - 1);
        __mmask16 k1 = left >= 32 ? (__mmask16)0xFFFF : left <= 16 ? 0 : (__mmask16)((1u << (left - 16)) - 1);
        __mmask16 m = tw - x0 >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (tw - x0)) - 1);
        __m512 e[2], o[2];
        for (int r = 0; r < 2; r++) {
            const float *row = r == 0 ? row0 : row1;
            __m512 a = _mm512_setzero_ps(), b = a;
            if (row != NULL) {
                a = _mm512_maskz_loadu_ps(k0, row + c0);
                b = _mm512_maskz_loadu_ps(k1, row + c0 + 16);
            }
            e[r] = _mm512_permutex2var_ps(a, even, b);
            o[r] = _mm512_permutex2var_ps(a, odd, b);
        }
        __m512 rows_e[4] = {e[0], _mm512_add_ps(e[0], e[1]), _mm512_sub_ps(e[0], e[1]),
                            _mm512_sub_ps(_mm512_setzero_ps(), e[1])};   /* A g, even columns */
        __m512 rows_o[4] = {o[0], _mm512_add_ps(o[0], o[1]), _mm512_sub_ps(o[0], o[1]),
                            _mm512_sub_ps(_mm512_setzero_ps(), o[1])};   /* odd columns */
        for (int i = 0; i < 4; i++) {                                    /* (A g) A^T */
            float *zi = z + 4 * i * zs + x0;
            _mm512_mask_storeu_ps(zi, m, rows_e[i]);
            _mm512_mask_storeu_ps(zi + zs, m, _mm512_add_ps(rows_e[i], rows_o[i]));
            _mm512_mask_storeu_ps(zi + 2 * zs, m, _mm512_sub_ps(rows_e[i], rows_o[i]));
            _mm512_mask_storeu_ps(zi + 3 * zs, m, _mm512_sub_ps(_mm512_setzero_ps(), rows_o[i]));
        }
    }
}
#else
static void mg_wino_input_avx512(const float *d0, const float *d1, const float *d2,
                                 const float *d3, Py_ssize_t lo, Py_ssize_t hi, float *v,
                                 Py_ssize_t vs, Py_ssize_t tw) {
    (void)d0; (void)d1; (void)d2; (void)d3; (void)lo; (void)hi; (void)v; (void)vs; (void)tw;
}
static void mg_wino_output_avx512(const float *m, Py_ssize_t ms, float *row0, float *row1,
                                  Py_ssize_t ow, Py_ssize_t tw, float b) {
    (void)m; (void)ms; (void)row0; (void)row1; (void)ow; (void)tw; (void)b;
}
static void mg_wino_grad_avx512(const float *row0, const float *row1, Py_ssize_t ow,
                                Py_ssize_t tw, float *z, Py_ssize_t zs) {
    (void)row0; (void)row1; (void)ow; (void)tw; (void)z; (void)zs;
}
static void mg_wino_kernels_avx512(const float *w, Py_ssize_t rows, Py_ssize_t cols,
                                   Py_ssize_t rs, Py_ssize_t cs, const Py_ssize_t *plane,
                                   float *u, Py_ssize_t n) {
    (void)w; (void)rows; (void)cols; (void)rs; (void)cs; (void)plane; (void)u; (void)n;
}
#endif

#endif
