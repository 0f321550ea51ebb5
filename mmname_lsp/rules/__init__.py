"""Rules: codes, messages, explanations and fixes."""
