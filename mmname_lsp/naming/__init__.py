"""The naming convention: data model, vocabulary, zoo and decoder (pure Python)."""

from mmname_lsp.naming.decoder import decode
from mmname_lsp.naming.model import Decoded, Part, Problem, Token

__all__ = ["Decoded", "Part", "Problem", "Token", "decode"]
