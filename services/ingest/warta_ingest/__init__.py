"""Warta ingest: the offices' HTTP API (articles and media)."""
