"""Editor features as plain Python (no LSP types): hover text, completion
candidates, document symbols and semantic token roles.  The server turns
their results into protocol objects."""
