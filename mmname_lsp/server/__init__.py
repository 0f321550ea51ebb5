"""The language server (pygls); imported only by `mmname-lsp`, never by the CLI."""
