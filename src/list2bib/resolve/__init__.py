"""ListEntry[] -> Resolution[]: what is asked of which service, and what is accepted."""
