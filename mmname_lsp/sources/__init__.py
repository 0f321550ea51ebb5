"""Where names stand in a document: file names, Python string literals."""
