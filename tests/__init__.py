"""Cross-cutting tests: browser flows and the multi-process deployment."""
