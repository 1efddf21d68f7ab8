/* A float32 GEMM for the conv forward, c (m x n) = a (m x k) @ b (k x n) (+ bias[i] per
 * row, or + c), row-major, with AVX-512; used by im2col_gemm.pyx when the processor has
 * AVX-512 (mg_gemm_avx512_available), SciPy's BLAS otherwise.
 *
 * Why not the BLAS: a conv's GEMM at batch 1 has few columns (n = OH*OW, 16 at ResNet's
 * 4x4 stage) against a large weight a (512 x 4608 there), and the BLAS copies ("packs")
 * all of a into its own layout on every call before multiplying: with 16 columns the
 * copy takes longer than the multiplications. This kernel reads a where it is. Each step
 * of its inner loop takes one row of b across NV*16 columns (NV vector registers) and,
 * for each of MR rows of a, broadcasts a[i, p] and adds a[i, p] * b[p, :] into the
 * row's accumulators: MR * NV registers of c stay in registers for the whole depth k,
 * the MR rows of a are read as MR sequential streams, and b's rows are reused from cache
 * by every block of rows. Columns past n are masked (no read, no write); rows past m
 * repeat the last row of a and are not stored.
 *
 * Two shapes: MR = 12 rows by 32 columns (24 accumulators) for wide blocks, MR = 24 rows
 * by 16 columns for the last 16 or fewer columns, so that 16-column images (and the tail
 * of wider ones) do not waste half of each register.
 *
 * Compiled for AVX-512 through the target attribute, whatever the flags of the build: the
 * caller checks mg_gemm_avx512_available() first.
 */
#ifndef MINIGRAD_GEMM_AVX512_H
#define MINIGRAD_GEMM_AVX512_H

#include <Python.h>  /* Py_ssize_t */

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#include <immintrin.h>
#define MG_GEMM_X86 1
#define MG_AVX512 __attribute__((target("avx512f,fma")))

static int mg_gemm_avx512_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") != 0;
}

/* c[r, 0..nc-1] (+)= sum_p a[r*lda + p] * b[p*ldb + 0..nc-1] for r < mr <= 8, nc <= 16*NV.
 * The 8 rows of a are 8 pointers (rows past mr repeat the last one and are not stored),
 * which with b's and the counters fit the 16 general registers; the 8*NV accumulators are
 * named variables (GCC keeps an array of them in memory). */
#define MG_MASK(left) ((left) >= 16 ? (__mmask16)0xFFFF                                    \
                       : (left) <= 0 ? (__mmask16)0 : (__mmask16)((1u << (left)) - 1))
#define MG_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
#define MG_ROWPTR(r) const float *a##r = a + (r < mr ? r : mr - 1) * lda;
#define MG_ZERO1(r) __m512 c##r##0 = _mm512_setzero_ps();
#define MG_ZERO2(r) __m512 c##r##0 = _mm512_setzero_ps(), c##r##1 = c##r##0;
#define MG_ZERO3(r) __m512 c##r##0 = _mm512_setzero_ps(), c##r##1 = c##r##0, c##r##2 = c##r##0;
#define MG_FMA1(r) { __m512 av = _mm512_set1_ps(a##r[p]);                                  \
                     c##r##0 = _mm512_fmadd_ps(av, b0, c##r##0); }
#define MG_FMA2(r) { __m512 av = _mm512_set1_ps(a##r[p]);                                  \
                     c##r##0 = _mm512_fmadd_ps(av, b0, c##r##0);                           \
                     c##r##1 = _mm512_fmadd_ps(av, b1, c##r##1); }
#define MG_FMA3(r) { __m512 av = _mm512_set1_ps(a##r[p]);                                  \
                     c##r##0 = _mm512_fmadd_ps(av, b0, c##r##0);                           \
                     c##r##1 = _mm512_fmadd_ps(av, b1, c##r##1);                           \
                     c##r##2 = _mm512_fmadd_ps(av, b2, c##r##2); }
#define MG_PUT(r, v, mask)                                                                 \
    { float *dst = c + r * ldc + 16 * v; __m512 out = c##r##v;                             \
      if (accumulate) out = _mm512_add_ps(out, _mm512_maskz_loadu_ps(mask, dst));         \
      else if (bias) out = _mm512_add_ps(out, _mm512_set1_ps(bias[r]));                   \
      _mm512_mask_storeu_ps(dst, mask, out); }
#define MG_STORE1(r) if (r < mr) MG_PUT(r, 0, m0)
#define MG_STORE2(r) if (r < mr) { MG_PUT(r, 0, m0) MG_PUT(r, 1, m1) }
#define MG_STORE3(r) if (r < mr) { MG_PUT(r, 0, m0) MG_PUT(r, 1, m1) MG_PUT(r, 2, m2) }

MG_AVX512 static void mg_gemm_block_8x3(const float *a, Py_ssize_t lda, const float *b,
                                        Py_ssize_t ldb, float *c, Py_ssize_t ldc, Py_ssize_t k,
                                        Py_ssize_t mr, Py_ssize_t nc, const float *bias,
                                        int accumulate) {
    __mmask16 m0 = MG_MASK(nc), m1 = MG_MASK(nc - 16), m2 = MG_MASK(nc - 32);
    MG_ROWS(MG_ROWPTR)
    MG_ROWS(MG_ZERO3)
    for (Py_ssize_t p = 0; p < k; p++) {
        const float *bp = b + p * ldb;
        __m512 b0 = _mm512_maskz_loadu_ps(m0, bp), b1 = _mm512_maskz_loadu_ps(m1, bp + 16);
        __m512 b2 = _mm512_maskz_loadu_ps(m2, bp + 32);
        MG_ROWS(MG_FMA3)
    }
    MG_ROWS(MG_STORE3)
}

MG_AVX512 static void mg_gemm_block_8x2(const float *a, Py_ssize_t lda, const float *b,
                                        Py_ssize_t ldb, float *c, Py_ssize_t ldc, Py_ssize_t k,
                                        Py_ssize_t mr, Py_ssize_t nc, const float *bias,
                                        int accumulate) {
    __mmask16 m0 = MG_MASK(nc), m1 = MG_MASK(nc - 16);
    MG_ROWS(MG_ROWPTR)
    MG_ROWS(MG_ZERO2)
    for (Py_ssize_t p = 0; p < k; p++) {
        const float *bp = b + p * ldb;
        __m512 b0 = _mm512_maskz_loadu_ps(m0, bp), b1 = _mm512_maskz_loadu_ps(m1, bp + 16);
        MG_ROWS(MG_FMA2)
    }
    MG_ROWS(MG_STORE2)
}

MG_AVX512 static void mg_gemm_block_8x1(const float *a, Py_ssize_t lda, const float *b,
                                        Py_ssize_t ldb, float *c, Py_ssize_t ldc, Py_ssize_t k,
                                        Py_ssize_t mr, Py_ssize_t nc, const float *bias,
                                        int accumulate) {
    __mmask16 m0 = MG_MASK(nc);
    MG_ROWS(MG_ROWPTR)
    MG_ROWS(MG_ZERO1)
    for (Py_ssize_t p = 0; p < k; p++) {
        __m512 b0 = _mm512_maskz_loadu_ps(m0, b + p * ldb);
        MG_ROWS(MG_FMA1)
    }
    MG_ROWS(MG_STORE1)
}

/* c (m x n, row stride ldc) = a (m x k, lda) @ b (k x n, ldb) + bias[i] (bias may be NULL),
 * or, with accumulate, c += a @ b: blocks of 48 columns (the last one by the block of one
 * or two registers that covers it), each swept down all the rows of a while its rows of
 * b stay in cache. */
MG_AVX512 static void mg_sgemm_avx512(Py_ssize_t m, Py_ssize_t n, Py_ssize_t k, const float *a,
                                      Py_ssize_t lda, const float *b, Py_ssize_t ldb, float *c,
                                      Py_ssize_t ldc, const float *bias, int accumulate) {
    for (Py_ssize_t j = 0; j < n; j += 48) {
        Py_ssize_t nc = n - j < 48 ? n - j : 48;
        for (Py_ssize_t i = 0; i < m; i += 8) {
            Py_ssize_t mr = m - i < 8 ? m - i : 8;
            if (nc > 32)
                mg_gemm_block_8x3(a + i * lda, lda, b + j, ldb, c + i * ldc + j, ldc, k, mr, nc,
                                  bias ? bias + i : NULL, accumulate);
            else if (nc > 16)
                mg_gemm_block_8x2(a + i * lda, lda, b + j, ldb, c + i * ldc + j, ldc, k, mr, nc,
                                  bias ? bias + i : NULL, accumulate);
            else
                mg_gemm_block_8x1(a + i * lda, lda, b + j, ldb, c + i * ldc + j, ldc, k, mr, nc,
                                  bias ? bias + i : NULL, accumulate);
        }
    }
}

#else  /* not x86 with GCC or Clang: never available, the BLAS runs */
static int mg_gemm_avx512_available(void) { return 0; }
static void mg_sgemm_avx512(Py_ssize_t m, Py_ssize_t n, Py_ssize_t k, const float *a,
                            Py_ssize_t lda, const float *b, Py_ssize_t ldb, float *c,
                            Py_ssize_t ldc, const float *bias, int accumulate) {
    (void)m; (void)n; (void)k; (void)a; (void)lda; (void)b; (void)ldb; (void)c; (void)ldc;
    (void)bias; (void)accumulate;
}
#endif

#endif
