"""Compiled kernels of minigrad (Cython). Callers validate; the kernels only compute."""
