"""The `audit` command line."""

from __future__ import annotations

import click

from auditor import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="audit")
def cli() -> None:
    """Audit the code links and code-availability claims of research papers.

    \b
    Example:
      audit run examples/dumps/*.txt
    """


def main() -> None:
    cli()
