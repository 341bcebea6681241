"""repro-auditor: did the paper link its code, and does that code hold up?"""

__version__ = "0.1.0"
