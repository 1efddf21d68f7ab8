/* The column matrix for the AVX-512 kernels, three ways (docs/kernels.md):
 *   mg_im2col_panels  written in 48-column panels across the batch, for the forward GEMM
 *                     of gemm_avx512.h (strided and padded convs);
 *   mg_conv_flat      never written: the implicit GEMM reads its rows in place, from x or
 *                     from the image's zero-padded phase planes (mg_phase_planes);
 *   mg_wgrad_flat     the flat weight gradient, reading x in place the same way.
 *
 * Panels. The columns of all N images are numbered one after the other, j = n*P + oy*OW + ox
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
 * load's mask.
 *
 * All are compiled for AVX-512 through the target attribute: the callers run them only
 * where mg_gemm_avx512_available() says so. Elsewhere (not x86, not GCC or Clang) they are
 * empty stubs that are never called.
 */
#ifndef MINIGRAD_IM2COL_PANELS_H
#define MINIGRAD_IM2COL_PANELS_H

#include <Python.h>  /* Py_ssize_t */
#include <string.h>

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

/* The sh*sw phase planes (Hq x Wq each) of one image x (C, H, W) into xq (C, sh, sw, Hq, Wq):
 * xq[c, py, px, i, j] = x[c, i*sh + py - ph, j*sw + px - pw], 0 outside x. Output pixel
 * (oy, ox) reads tap (a, b) at (oy*sh + a*dh, ox*sw + b*dw) of the padded input, which is
 * plane (a*dh % sh, b*dw % sw) at (oy + a*dh / sh, ox + b*dw / sw): a stride-1 read. */
MG_PANEL_AVX512 static void mg_phase_planes(const float *x, float *xq, Py_ssize_t C,
                                            Py_ssize_t H, Py_ssize_t W, Py_ssize_t sh,
                                            Py_ssize_t sw, Py_ssize_t ph, Py_ssize_t pw,
                                            Py_ssize_t Hq, Py_ssize_t Wq) {
    for (Py_ssize_t c = 0; c < C; c++) {
        for (Py_ssize_t py = 0; py < sh; py++) {
            for (Py_ssize_t px = 0; px < sw; px++) {
                float *plane = xq + ((c * sh + py) * sw + px) * Hq * Wq;
                /* the j with 0 <= j*sw + px - pw < W */
                Py_ssize_t off = px - pw, lo = 0, hi = Wq;
                if (off < 0) lo = (-off + sw - 1) / sw;
                if (off + (Wq - 1) * sw >= W) hi = off >= W ? 0 : (W - 1 - off) / sw + 1;
                if (lo > hi) lo = hi;
                for (Py_ssize_t i = 0; i < Hq; i++) {
                    float *d = plane + i * Wq;
                    Py_ssize_t iy = i * sh + py - ph;
                    if (iy < 0 || iy >= H || hi == lo) {
                        memset(d, 0, Wq * sizeof(float));
                        continue;
                    }
                    const float *s = x + (c * H + iy) * W + off;
                    memset(d, 0, lo * sizeof(float));
                    if (sw == 1)
                        memcpy(d + lo, s + lo, (hi - lo) * sizeof(float));
                    else if (sw == 2)  /* a constant stride: vectorized */
                        for (Py_ssize_t j = lo; j < hi; j++) d[j] = s[2 * j];
                    else
                        for (Py_ssize_t j = lo; j < hi; j++) d[j] = s[j * sw];
                    memset(d + hi, 0, (Wq - hi) * sizeof(float));
                }
            }
        }
    }
}

/* ---------------------------------------------------------------------------------------
 * Implicit GEMM: the column matrix never written. For a stride-1 unpadded conv, row
 * r = (c, a, b) of one image's column matrix, in the flat layout (W columns per output
 * row, of which the first OW are output pixels), is x[c] read from a*dh*W + b*dw on: the
 * GEMM can read its operand's row r straight from x at an offset, off[r]. With padding
 * or strides the same holds for the image's zero-padded phase planes (mg_phase_planes).
 *
 * mg_conv_flat computes out rows o < m of one image: for each 48 flat columns j0..j0+47
 * and 8 rows of the weight, 8 x 3 vectors of accumulators over the depth k,
 * acc[i, t] += w[i, p] * xq[off[p] + j0 + t]; each vector then keeps only its output
 * pixels (flat column j with j % Wq < OW) and stores them with a compress store: the
 * output pixels, in order, are the flat columns without the dropped ones, so they land
 * side by side in the NCHW row of channel o. The dropped columns are not loaded (masked
 * to 0), so they read nothing past the planes. */

#define MG_ROWS8(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
#define MG_W_ROW(r) const float *w##r = w + (r < m ? r : m - 1) * ldw;
#define MG_ACC_ZERO(r) __m512 c##r##0 = _mm512_setzero_ps(), c##r##1 = c##r##0, c##r##2 = c##r##0;
#define MG_ACC_FMA(r) { __m512 wv = _mm512_set1_ps(w##r[p]);                              \
                        c##r##0 = _mm512_fmadd_ps(wv, v0, c##r##0);                      \
                        c##r##1 = _mm512_fmadd_ps(wv, v1, c##r##1);                      \
                        c##r##2 = _mm512_fmadd_ps(wv, v2, c##r##2); }
#define MG_ACC_PUT(r, v)                                                                   \
    { __m512 o = c##r##v;                                                                  \
      if (bias) o = _mm512_add_ps(o, _mm512_set1_ps(bias[r]));                             \
      _mm512_mask_compressstoreu_ps(out + r * ldo + pos[v], keep[v], o); }
#define MG_ACC_STORE(r) if (r < m) { MG_ACC_PUT(r, 0) MG_ACC_PUT(r, 1) MG_ACC_PUT(r, 2) }

/* out[i, pos(j)] = bias[i] + sum_p w[i, p] * xq[off[p] + j] for i < m <= 8 and the output
 * pixels j among j0 .. j0 + 47 (keep: their lanes, pos: where each vector's first one
 * goes). */
MG_PANEL_AVX512 static void mg_conv_flat_8x48(const float *w, Py_ssize_t ldw, Py_ssize_t m,
                                              const float *xq, const Py_ssize_t *off,
                                              Py_ssize_t k, const __mmask16 *keep,
                                              const Py_ssize_t *pos, float *out,
                                              Py_ssize_t ldo, const float *bias) {
    MG_ROWS8(MG_W_ROW)
    MG_ROWS8(MG_ACC_ZERO)
    __mmask16 k0 = keep[0], k1 = keep[1], k2 = keep[2];
    for (Py_ssize_t p = 0; p < k; p++) {
        const float *src = xq + off[p];
        __m512 v0 = _mm512_maskz_loadu_ps(k0, src), v1 = _mm512_maskz_loadu_ps(k1, src + 16);
        __m512 v2 = _mm512_maskz_loadu_ps(k2, src + 32);
        MG_ROWS8(MG_ACC_FMA)
    }
    MG_ROWS8(MG_ACC_STORE)
}

/* One image: out (m, OH*OW) = w (m, k) @ (the column matrix read through off from xq, flat
 * columns 0 .. OH*Wq - 1) + bias. off[p] + OH*Wq must stay inside xq for the columns
 * kept (it does: a kept column reads the tap's own pixel). */
MG_PANEL_AVX512 static void mg_conv_flat(const float *w, Py_ssize_t ldw, Py_ssize_t m,
                                         Py_ssize_t k, const float *xq, const Py_ssize_t *off,
                                         Py_ssize_t OH, Py_ssize_t OW, Py_ssize_t Wq,
                                         float *out, Py_ssize_t ldo, const float *bias) {
    Py_ssize_t Pq = OH * Wq, done = 0;
    for (Py_ssize_t j0 = 0; j0 < Pq; j0 += MG_PANEL) {
        __mmask16 keep[3];
        Py_ssize_t pos[3];
        for (int v = 0; v < 3; v++) {
            unsigned bits = 0;
            pos[v] = done;
            for (int t = 0; t < 16; t++) {
                Py_ssize_t j = j0 + 16 * v + t;
                if (j < Pq && j % Wq < OW) {
                    bits |= 1u << t;
                    done++;
                }
            }
            keep[v] = (__mmask16)bits;
        }
        for (Py_ssize_t i = 0; i < m; i += 8)
            mg_conv_flat_8x48(w + i * ldw, ldw, m - i < 8 ? m - i : 8, xq + j0, off, k, keep,
                              pos, out + i * ldo, ldo, bias ? bias + i : NULL);
    }
}

/* The weight gradient of a flat conv (unpadded, stride 1) the same way round:
 * gwT[r, o] += sum_j x[off[r] + j] * gyT[j, o] over one image's flat columns j < L, for 8
 * rows r of the column matrix (read in place through off) and up to 16 output channels o.
 * gyT (L, ldg) is the upstream gradient transposed, 0 in the dropped columns; L stops at
 * the last output pixel, so that no row reads past x. Per j: one load of gyT's row, 8
 * broadcasts of x, 8 multiply-adds into 8 accumulators. */
#define MG_X_ROW(r) const float *x##r = x + off[r < m ? r : m - 1];
#define MG_G_ZERO(r) __m512 g##r = _mm512_setzero_ps();
#define MG_G_FMA(r) g##r = _mm512_fmadd_ps(_mm512_set1_ps(x##r[j]), gv, g##r);
#define MG_G_STORE(r)                                                                      \
    if (r < m) _mm512_mask_storeu_ps(gw + r * ldw, mask,                                   \
                                     _mm512_add_ps(g##r, _mm512_maskz_loadu_ps(mask, gw + r * ldw)));

MG_PANEL_AVX512 static void mg_wgrad_flat_8x16(const float *x, const Py_ssize_t *off,
                                               Py_ssize_t m, const float *gyT, Py_ssize_t ldg,
                                               Py_ssize_t n, Py_ssize_t L, float *gw,
                                               Py_ssize_t ldw) {
    __mmask16 mask = n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1u);
    MG_ROWS8(MG_X_ROW)
    MG_ROWS8(MG_G_ZERO)
    for (Py_ssize_t j = 0; j < L; j++) {
        __m512 gv = _mm512_maskz_loadu_ps(mask, gyT + j * ldg);
        MG_ROWS8(MG_G_FMA)
    }
    MG_ROWS8(MG_G_STORE)
}

/* gwT (k, ldw) += (column matrix rows read through off, k x L) @ gyT (L, n): all rows and
 * output channels, 8 rows by 16 channels at a time. */
MG_PANEL_AVX512 static void mg_wgrad_flat(const float *x, const Py_ssize_t *off, Py_ssize_t k,
                                          const float *gyT, Py_ssize_t n, Py_ssize_t L,
                                          float *gw, Py_ssize_t ldw) {
    for (Py_ssize_t o = 0; o < n; o += 16)
        for (Py_ssize_t r = 0; r < k; r += 8)
            mg_wgrad_flat_8x16(x, off + r, k - r < 8 ? k - r : 8, gyT + o, n,
                               n - o < 16 ? n - o : 16, L, gw + r * ldw + o, ldw);
}

#else  /* not x86 with GCC or Clang: never called (no AVX-512 GEMM there) */
static void mg_wgrad_flat(const float *x, const Py_ssize_t *off, Py_ssize_t k, const float *gyT,
                          Py_ssize_t n, Py_ssize_t L, float *gw, Py_ssize_t ldw) {
    (void)x; (void)off; (void)k; (void)gyT; (void)n; (void)L; (void)gw; (void)ldw;
}
static void mg_phase_planes(const float *x, float *xq, Py_ssize_t C, Py_ssize_t H,
                            Py_ssize_t W, Py_ssize_t sh, Py_ssize_t sw, Py_ssize_t ph,
                            Py_ssize_t pw, Py_ssize_t Hq, Py_ssize_t Wq) {
    (void)x; (void)xq; (void)C; (void)H; (void)W; (void)sh; (void)sw; (void)ph; (void)pw;
    (void)Hq; (void)Wq;
}
static void mg_conv_flat(const float *w, Py_ssize_t ldw, Py_ssize_t m, Py_ssize_t k,
                         const float *xq, const Py_ssize_t *off, Py_ssize_t OH, Py_ssize_t OW,
                         Py_ssize_t Wq, float *out, Py_ssize_t ldo, const float *bias) {
    (void)w; (void)ldw; (void)m; (void)k; (void)xq; (void)off; (void)OH; (void)OW; (void)Wq;
    (void)out; (void)ldo; (void)bias;
}
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
