"""Resolution[] -> Reference[]: one entry per work, stable keys, merged with the file."""
