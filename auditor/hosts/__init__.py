"""Collectors: one per host, each turning many targets into Facts (the I/O edge)."""
