"""The ``mmname`` command: ``decode`` and ``check``, their cache, worker
processes and output formats.  Never imports pygls."""

from mmname_lsp.cli.main import entry, main

__all__ = ["entry", "main"]
