"""Services of the core app: actions that touch several models or do I/O."""
