"""Plumbing below every stage: HTTP (session, cache, pacing), files, lock, memo."""
