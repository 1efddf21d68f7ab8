/* A float32 matrix-vector product with AVX-512, y (m) = w (m x k) @ x (k) (+ bias), w
 * row-major: a linear layer at batch 1 (linear.pyx).
 *
 * Why not the BLAS: at batch 1 a linear layer reads each weight once (AlexNet's 9216 ->
 * 4096 layer, 151 MB, is bound by memory bandwidth), and measured on the AVX-512 Xeon
 * this kernel streams the weight about 8% faster than SciPy's OpenBLAS through
 * np.matmul. Four rows of w are read side by side (four sequential streams), each into
 * two accumulators of 16 lanes, against the same 32 values of x; a row's sum is its
 * accumulators' lanes added at the end. Columns past k are masked (no read).
 *
 * Compiled for AVX-512 through the target attribute, whatever the flags of the build: the
 * caller checks mg_gemv_avx512_available() first.
 */
#ifndef MINIGRAD_GEMV_AVX512_H
#define MINIGRAD_GEMV_AVX512_H

#include <Python.h>  /* Py_ssize_t */

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#include <immintrin.h>
#define MG_GEMV_AVX512 __attribute__((target("avx512f,fma")))

static int mg_gemv_avx512_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") != 0;
}

/* The lanes of x[p..k) from p, at most 16 of them. */
#define MG_GEMV_MASK(left) ((left) >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (left)) - 1))

/* Four rows of w against x: y[r] = sum_p w_r[p] * x[p], r = 0..3. */
MG_GEMV_AVX512 static void mg_gemv_4rows(const float *w0, Py_ssize_t k, const float *x, float *y) {
    const float *w1 = w0 + k, *w2 = w1 + k, *w3 = w2 + k;
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
    Py_ssize_t p = 0;
    for (; p + 32 <= k; p += 32) {
        __m512 x0 = _mm512_loadu_ps(x + p), x1 = _mm512_loadu_ps(x + p + 16);
        a0 = _mm512_fmadd_ps(_mm512_loadu_ps(w0 + p), x0, a0);
        a1 = _mm512_fmadd_ps(_mm512_loadu_ps(w1 + p), x0, a1);
        a2 = _mm512_fmadd_ps(_mm512_loadu_ps(w2 + p), x0, a2);
        a3 = _mm512_fmadd_ps(_mm512_loadu_ps(w3 + p), x0, a3);
        b0 = _mm512_fmadd_ps(_mm512_loadu_ps(w0 + p + 16), x1, b0);
        b1 = _mm512_fmadd_ps(_mm512_loadu_ps(w1 + p + 16), x1, b1);
        b2 = _mm512_fmadd_ps(_mm512_loadu_ps(w2 + p + 16), x1, b2);
        b3 = _mm512_fmadd_ps(_mm512_loadu_ps(w3 + p + 16), x1, b3);
    }
    for (; p < k; p += 16) {
        __mmask16 m = MG_GEMV_MASK(k - p);
        __m512 x0 = _mm512_maskz_loadu_ps(m, x + p);
        a0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, w0 + p), x0, a0);
        a1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, w1 + p), x0, a1);
        a2 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, w2 + p), x0, a2);
        a3 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, w3 + p), x0, a3);
    }
    y[0] = _mm512_reduce_add_ps(_mm512_add_ps(a0, b0));
    y[1] = _mm512_reduce_add_ps(_mm512_add_ps(a1, b1));
    y[2] = _mm512_reduce_add_ps(_mm512_add_ps(a2, b2));
    y[3] = _mm512_reduce_add_ps(_mm512_add_ps(a3, b3));
}

/* One row of w against x. */
MG_GEMV_AVX512 static float mg_gemv_row(const float *w, Py_ssize_t k, const float *x) {
    __m512 a = _mm512_setzero_ps();
    for (Py_ssize_t p = 0; p < k; p += 16) {
        __mmask16 m = MG_GEMV_MASK(k - p);
        a = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, w + p), _mm512_maskz_loadu_ps(m, x + p), a);
    }
    return _mm512_reduce_add_ps(a);
}

/* y[i] = sum_p w[i*k + p] * x[p] (+ bias[i] when bias is not NULL), for i < m. */
static void mg_gemv_avx512(const float *w, const float *x, const float *bias, float *y, Py_ssize_t m,
                           Py_ssize_t k) {
    Py_ssize_t i = 0;
    for (; i + 4 <= m; i += 4)
        mg_gemv_4rows(w + i * k, k, x, y + i);
    for (; i < m; i++)
        y[i] = mg_gemv_row(w + i * k, k, x);
    if (bias)
        for (i = 0; i < m; i++)
            y[i] += bias[i];
}

#else  /* not x86 with GCC or Clang: never available, the BLAS runs */
static int mg_gemv_avx512_available(void) { return 0; }
static void mg_gemv_avx512(const float *w, const float *x, const float *bias, float *y, Py_ssize_t m,
                           Py_ssize_t k) {
    (void)w; (void)x; (void)bias; (void)y; (void)m; (void)k;
}
#endif

#endif
