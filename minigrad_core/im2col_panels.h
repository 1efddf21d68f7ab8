/* im2col into 48-column panels, for the forward's AVX-512 GEMM (gemm_avx512.h).
 *
 * The columns of all N images are numbered one after the other, j = n*P + oy*OW + ox
 * (P = OH*OW), and cut into panels of MG_PANEL = 48 columns, the width of the GEMM's
 * widest block. Panel q of a block holds, for every row r = (c*KH + a)*KW + b of the
 * column matrix, its 48 values side by side: dst[(q*K + r)*48 + t] = x[n, c, oy*sh - ph +
 * a*dh, ox*sw - pw + b*dw] (0 in the padding) for column j = col0 + 48*q + t. The GEMM
 * reads each panel as one contiguous K x 48 operand (leading dimension 48), and only the
 * batch's last panel is narrower than 48 columns: an image of 196 columns (14x14) no
 * longer ends in a 4-column block of the GEMM, and the operand's rows are not spread over
 * pages.
 *
 * The copies run per segment, the columns of one panel in one output row: for each row r
 * of the column matrix one masked load (two and a permute at stride 2, a gather at
 * larger strides) and one masked store of up to 16 values, the padding zeroed by the
 * load's mask. Compiled for AVX-512 through the target attribute: the caller runs it
 * only where mg_gemm_avx512_available() says so.
 */
#ifndef MINIGRAD_IM2COL_PANELS_H
#define MINIGRAD_IM2COL_PANELS_H

#include <Python.h>  /* Py_ssize_t */

#define MG_PANEL 48

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#include <immintrin.h>

#define MG_PANEL_AVX512 __attribute__((target("avx512f")))

/* Bits lo..hi-1 of a 16-bit mask (0 <= lo, hi <= 16). */
static inline __mmask16 mg_bits16(Py_ssize_t lo, Py_ssize_t hi) {
    if (hi <= lo) return 0;
    return (__mmask16)((((1u << (hi - lo)) - 1u) << lo) & 0xFFFFu);
}

/* Panels of the columns col0 .. col0 + ncols - 1 of x (N, C, H, W) into dst, laid out as
 * above (K = C*KH*KW rows per panel, 48 floats a row; columns past ncols in the last
 * panel are left unwritten). The caller keeps 15*sw below 2**31 (a gather's int32 index). */
MG_PANEL_AVX512 static void mg_im2col_panels(const float *x, float *dst, Py_ssize_t C,
                                             Py_ssize_t H, Py_ssize_t W, Py_ssize_t KH,
                                             Py_ssize_t KW, Py_ssize_t OH, Py_ssize_t OW,
                                             Py_ssize_t sh, Py_ssize_t sw, Py_ssize_t ph,
                                             Py_ssize_t pw, Py_ssize_t dh, Py_ssize_t dw,
                                             Py_ssize_t col0, Py_ssize_t ncols) {
    const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4,
                                          2, 0);
    const __m512i lanes = _mm512_mullo_epi32(
        _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
        _mm512_set1_epi32((int)sw));
    Py_ssize_t P = OH * OW, K = C * KH * KW;
    Py_ssize_t j = col0, end = col0 + ncols;
    while (j < end) {
        /* the segment: columns j .. j + len - 1, in one output row and one panel */
        Py_ssize_t n = j / P, rem = j - n * P, oy = rem / OW, ox = rem - oy * OW;
        Py_ssize_t q = (j - col0) / MG_PANEL, t0 = (j - col0) - q * MG_PANEL;
        Py_ssize_t len = OW - ox;
        if (len > end - j) len = end - j;
        if (len > MG_PANEL - t0) len = MG_PANEL - t0;
        Py_ssize_t chunks = (len + 15) / 16;
        float *panel = dst + q * K * MG_PANEL + t0;
        const float *img = x + n * C * H * W;
        for (Py_ssize_t b = 0; b < KW; b++) {
            /* the segment's t with 0 <= (ox + t)*sw - pw + b*dw < W, and per chunk of 16
             * the lanes to store (all of the segment) and to load (inside the row; at
             * stride 2, the even floats of the 32 that hold them) */
            Py_ssize_t off = ox * sw - pw + b * dw, lo = 0, hi = len;
            if (off < 0) lo = (-off + sw - 1) / sw;
            if (off + (len - 1) * sw >= W) hi = off >= W ? 0 : (W - 1 - off) / sw + 1;
            if (lo > hi) lo = hi;
            __mmask16 store[3], keep[3];
            unsigned long long pairs[3];
            for (Py_ssize_t k = 0; k < chunks; k++) {
                Py_ssize_t t = 16 * k, l = len - t < 16 ? len - t : 16;
                Py_ssize_t tl = lo - t < 0 ? 0 : lo - t, th = hi - t > l ? l : hi - t;
                if (th < tl) th = tl;
                store[k] = mg_bits16(0, l);
                keep[k] = mg_bits16(tl, th);
                pairs[k] = th > tl ? ((((1ull << (2 * (th - tl))) - 1ull) << (2 * tl))
                                      & 0x55555555ull) : 0;
            }
            for (Py_ssize_t c = 0; c < C; c++) {
                for (Py_ssize_t a = 0; a < KH; a++) {
                    Py_ssize_t iy = oy * sh - ph + a * dh;
                    float *d = panel + ((c * KH + a) * KW + b) * MG_PANEL;
                    if (iy < 0 || iy >= H) {
                        for (Py_ssize_t k = 0; k < chunks; k++)
                            _mm512_mask_storeu_ps(d + 16 * k, store[k], _mm512_setzero_ps());
                        continue;
                    }
                    const float *src = img + (c * H + iy) * W + off;
                    for (Py_ssize_t k = 0; k < chunks; k++) {
                        const float *s = src + 16 * k * sw;
                        __m512 v;
                        if (sw == 1) {
                            v = _mm512_maskz_loadu_ps(keep[k], s);
                        } else if (sw == 2) {
                            __m512 lo16 = _mm512_maskz_loadu_ps((__mmask16)(pairs[k] & 0xFFFFu), s);
                            __m512 hi16 = _mm512_maskz_loadu_ps((__mmask16)(pairs[k] >> 16), s + 16);
                            v = _mm512_permutex2var_ps(lo16, even, hi16);
                        } else {
                            v = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), keep[k], lanes, s, 4);
                        }
                        _mm512_mask_storeu_ps(d + 16 * k, store[k], v);
                    }
                }
            }
        }
        j += len;
    }
}

#else  /* not x86 with GCC or Clang: never called (no AVX-512 GEMM there) */
static void mg_im2col_panels(const float *x, float *dst, Py_ssize_t C, Py_ssize_t H,
                             Py_ssize_t W, Py_ssize_t KH, Py_ssize_t KW, Py_ssize_t OH,
                             Py_ssize_t OW, Py_ssize_t sh, Py_ssize_t sw, Py_ssize_t ph,
                             Py_ssize_t pw, Py_ssize_t dh, Py_ssize_t dw, Py_ssize_t col0,
                             Py_ssize_t ncols) {
    (void)x; (void)dst; (void)C; (void)H; (void)W; (void)KH; (void)KW; (void)OH; (void)OW;
    (void)sh; (void)sw; (void)ph; (void)pw; (void)dh; (void)dw; (void)col0; (void)ncols;
}
#endif

#endif
