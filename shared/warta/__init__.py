"""Warta's shared domain: settings, storage, messages and the Celery app."""
