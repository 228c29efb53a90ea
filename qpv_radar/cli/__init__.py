"""Command-line interface: a thin layer over the public functions (one module per command)."""
