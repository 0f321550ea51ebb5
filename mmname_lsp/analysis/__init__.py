"""Document -> findings: the one pipeline the server and the CLI share
(:mod:`.pipeline`), and the text edits of their fixes (:mod:`.fixes`)."""

from mmname_lsp.analysis.pipeline import (
    Analysis,
    analyse,
    config_stem_candidate,
    decoder_for,
    in_configs_folder,
    settings_decoder,
)
from mmname_lsp.findings import FILENAME, Finding, Fix, Occurrence

__all__ = [
    "FILENAME",
    "Analysis",
    "Finding",
    "Fix",
    "Occurrence",
    "analyse",
    "config_stem_candidate",
    "decoder_for",
    "in_configs_folder",
    "settings_decoder",
]
