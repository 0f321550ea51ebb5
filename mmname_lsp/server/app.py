"""The composition root: one server, one session, and the features registered
in a visible order.  Lifecycle, document and notebook handling come first
(they feed the session), then the features that answer requests, then the workspace,
which listens to the documents' events."""

from __future__ import annotations

from mmname_lsp.server.features import (
    code_actions,
    completion,
    documents,
    hover,
    lifecycle,
    navigation,
    notebooks,
    symbols,
    workspace,
)
from mmname_lsp.server.protocol import MMNameServer

FEATURES = (lifecycle, documents, notebooks, hover, completion, code_actions, navigation,
            symbols, workspace)


def create_server() -> MMNameServer:
    """A new server with every feature registered."""
    server = MMNameServer()
    for feature in FEATURES:
        feature.register(server)
    return server
