"""The index of a workspace folder: configs, metafiles, model indexes and
READMEs and the links between them.  No editor protocol types: the language
server drives it and tests use it directly."""
