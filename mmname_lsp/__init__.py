"""mmname-lsp: a language server and linter for OpenMMLab MMPretrain names."""

__version__ = "0.1.0"
