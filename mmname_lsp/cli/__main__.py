"""`python -m mmname_lsp.cli` runs the `mmname` command."""

from mmname_lsp.cli.main import entry

if __name__ == "__main__":
    raise SystemExit(entry())
