"""Package data: territory files and the registry copy (no fetched data)."""
