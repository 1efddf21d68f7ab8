"""Build script: the Cython extensions (the kernels of minigrad_core, autograd's engine).

Each extension is listed explicitly. OpenMP is added after a try-compile shows the
compiler accepts it; set MINIGRAD_NO_OPENMP=1 to build without it, and
MINIGRAD_BOUNDSCHECK=1 to rebuild the kernels with bounds and wraparound checks on.
"""

import os
import tempfile

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

DEBUG_CHECKS = os.environ.get("MINIGRAD_BOUNDSCHECK") == "1"
COMPILER_DIRECTIVES = {
    "language_level": 3,
    "boundscheck": DEBUG_CHECKS,
    "wraparound": DEBUG_CHECKS,
    "cdivision": True,
    "initializedcheck": DEBUG_CHECKS,
}


def _extension(name, package="minigrad_core"):
    return Extension(
        f"{package}.{name}",
        [f"{package.replace('.', '/')}/{name}.pyx"],
        include_dirs=[np.get_include()],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
        extra_compile_args=["-O3"],
        depends={
            "winograd": ["minigrad_core/winograd.h"],
            "im2col_gemm": ["minigrad_core/gemm_avx512.h", "minigrad_core/im2col_panels.h"],
            "linear": ["minigrad_core/gemv_avx512.h"],
            "batch_norm": ["minigrad_core/batch_norm.h"],
        }.get(name, []),
    )


EXTENSIONS = [
    _extension("_engine", package="minigrad.autograd"),
    _extension("_threads"),
    _extension("conv"),
    _extension("conv_transpose"),
    _extension("depthwise"),
    _extension("im2col_gemm"),
    _extension("winograd"),
    _extension("pool"),
    _extension("optim"),
    _extension("matmul"),
    _extension("linear"),
    _extension("batch_norm"),
]


class BuildExtWithOpenMP(build_ext):
    """build_ext that links OpenMP when a test program compiles with -fopenmp."""

    def _compiler_supports_openmp(self):
        if os.environ.get("MINIGRAD_NO_OPENMP") == "1":
            return False
        with tempfile.TemporaryDirectory() as tmp:
            source = os.path.join(tmp, "omp_check.c")
            with open(source, "w") as f:
                f.write("#include <omp.h>\nint main(void) { return omp_get_max_threads() > 0 ? 0 : 1; }\n")
            try:
                objects = self.compiler.compile([source], output_dir=tmp, extra_postargs=["-fopenmp"])
                self.compiler.link_executable(objects, os.path.join(tmp, "omp_check"), extra_postargs=["-fopenmp"])
            except Exception:
                return False
        return True

    def build_extensions(self):
        if self._compiler_supports_openmp():
            for ext in self.extensions:
                ext.extra_compile_args.append("-fopenmp")
                ext.extra_link_args.append("-fopenmp")
        else:
            print("minigrad: building without OpenMP (the kernels run on one thread)")
        super().build_extensions()


setup(
    ext_modules=cythonize(EXTENSIONS, compiler_directives=COMPILER_DIRECTIVES),
    cmdclass={"build_ext": BuildExtWithOpenMP},
)
