"""Warta's render service."""
