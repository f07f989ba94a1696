"""Warta ingest: the HTTP API and the normalise and tag stages."""
