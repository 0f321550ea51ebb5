"""One module per editor feature, each with ``register(server)``; the
composition root (:mod:`mmname_lsp.server.app`) registers them in order."""
