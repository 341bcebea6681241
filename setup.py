"""Compiles auditor's extraction hot path with Cython at install time (the rest is in pyproject.toml).

Each module of ``auditor.compiled.MODULES`` is compiled from its unchanged ``.py`` file, which
stays the one source and is installed beside its extension: Cython removes the interpreter's
overhead over the many small functions extraction calls per abstract. A compile that fails (no C
compiler, no Cython) warns and leaves those modules pure Python: the install still succeeds.
"""

from __future__ import annotations

import os
import runpy
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
MODULES = runpy.run_path(str(HERE / "auditor" / "compiled.py"))["MODULES"]
DIRECTIVES = {
    "language_level": 3,
    "binding": True,  # functions keep their signatures, names and pickling as Python's
}


def _warn(what: str, error: BaseException) -> None:
    print(f"warning: {what} ({type(error).__name__}: {error}); auditor runs as pure Python (slower)", file=sys.stderr)


class build_ext_cython(build_ext):
    """``build_ext`` that turns the ``.py`` sources into C first, on every core; optional throughout."""

    def finalize_options(self) -> None:
        super().finalize_options()
        if self.parallel is None:
            self.parallel = os.cpu_count() or 1

    def run(self) -> None:
        try:
            from Cython.Build import cythonize

            generated = cythonize(self.extensions, compiler_directives=DIRECTIVES, build_dir=self.build_temp,
                                  nthreads=self.parallel, quiet=True)
        except Exception as error:  # noqa: BLE001 - any failure here only costs speed
            _warn("the modules could not be turned into C", error)
            self.extensions = []
        else:  # the extensions setuptools prepared, now from their C files
            sources = {ext.name: ext.sources for ext in generated}
            for ext in self.extensions:
                ext.sources = sources[ext.name]
        super().run()

    def build_extension(self, ext: Extension) -> None:
        if self.compiler.compiler_type == "unix":
            ext.extra_compile_args = ["-O2", "-g0"]  # after Python's own flags: its -O3 -g cost build time only
        try:
            super().build_extension(ext)
        except Exception as error:  # noqa: BLE001 - no C compiler, or it failed: the module stays pure Python
            _warn(f"{ext.name} was not compiled", error)


setup(
    ext_modules=[Extension(name, [name.replace(".", "/") + ".py"], optional=True) for name in MODULES],
    cmdclass={"build_ext": build_ext_cython},
)
