"""edplan: the educational planning engine (no Django)."""

__version__ = "0.1.0"
