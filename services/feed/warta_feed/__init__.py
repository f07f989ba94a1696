"""Warta's feed service."""
