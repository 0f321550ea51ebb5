"""`python -m mmname_lsp` starts the language server (same as `mmname-lsp`)."""

from mmname_lsp.server.__main__ import main

if __name__ == "__main__":
    raise SystemExit(main())
