"""repro-auditor: did the paper link its code, and does that code hold up?"""

from auditor import compiled as _compiled

__version__ = "0.1.0"

# Before any other of auditor's modules is imported: which of them come from their .py files.
_compiled.install(pure=_compiled.pure_wanted())
