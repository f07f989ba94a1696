"""The one place that reads the environment (12-factor)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str
    public_base_url: str
    site_name: str
    site_language: str
    timezone: str
    websub_hub_url: str | None
    ingest_port: int
    feed_port: int
    feed_size: int
    log_level: str
    # The site's logo in the page header and in the JSON-LD publisher (absolute URL).
    site_logo_url: str | None = None
    # How often counted page views are written to the database (and the cards re-rendered).
    views_flush_seconds: float = 60.0
    # Requests per office key, in the `limits` notation ("600/minute;10000/hour").
    rate_limit: str = "600/minute"
    # Seconds any cache (the edge's included) may keep a public document before asking again.
    public_max_age: int = 60
    # Refused keys (401) per client address; past it, 429 without looking the key up.
    refused_key_limit: str = "30/minute"
    # Peers whose X-Forwarded-For names the client (the edge); none by default.
    trusted_proxies: tuple[str, ...] = ()
    # How feeds learn a lead image's length and type: `head` asks its server, `guess` asks
    # nobody (the type from the URL, the length unknown).
    image_probe: str = "head"
    # `json` (one object per line, for log collectors) or `text` (for a terminal).
    log_format: str = "json"
    # Where a worker serves its Prometheus metrics; unset, it serves none.
    worker_metrics_port: int | None = None
    # Seconds after which a message whose worker stopped renewing it (it died) goes back to its
    # queue. Workers renew theirs every second (warta.workers), so a few seconds do.
    broker_visibility_timeout: float = 5.0
    # Where photos and their renditions are kept: `filesystem` (a folder, MEDIA_DIR: one host)
    # or `database` (the DATABASE_URL's, which every host reaches; docker compose uses it).
    media_store: str = "filesystem"
    media_dir: str = "var/media"
    # Where people reach the desk: the links `warta users add` prints start with it.
    desk_url: str = "http://127.0.0.1:8001/desk"
    # The desk's cookies go over HTTPS only (Secure); a local run over plain HTTP turns it off.
    desk_secure_cookies: bool = True
    # Signs the desk's session cookies; unset, the key made by the database's migration
    # (every process of a deployment reads the same one).
    secret_key: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            database_url=env.get("DATABASE_URL", "sqlite:///var/warta.db"),
            redis_url=env.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            public_base_url=env.get("PUBLIC_BASE_URL", "http://localhost:8002").rstrip("/"),
            site_name=env.get("SITE_NAME", "Warta"),
            site_language=env.get("SITE_LANGUAGE", "id"),
            timezone=env.get("TIMEZONE", "Asia/Jakarta"),
            websub_hub_url=env.get("WEBSUB_HUB_URL") or None,
            ingest_port=int(env.get("INGEST_PORT", "8001")),
            feed_port=int(env.get("FEED_PORT", "8002")),
            feed_size=int(env.get("FEED_SIZE", "50")),
            log_level=env.get("LOG_LEVEL", "INFO"),
            site_logo_url=env.get("SITE_LOGO_URL") or None,
            views_flush_seconds=float(env.get("VIEWS_FLUSH_SECONDS", "60")),
            rate_limit=env.get("RATE_LIMIT", "600/minute"),
            refused_key_limit=env.get("REFUSED_KEY_LIMIT", "30/minute"),
            public_max_age=int(env.get("PUBLIC_MAX_AGE", "60")),
            trusted_proxies=tuple(
                address for address in env.get("TRUSTED_PROXIES", "").split(",") if address.strip()
            ),
            image_probe=env.get("IMAGE_PROBE", "head"),
            log_format=env.get("LOG_FORMAT", "json"),
            worker_metrics_port=int(env["WORKER_METRICS_PORT"])
            if env.get("WORKER_METRICS_PORT")
            else None,
            broker_visibility_timeout=float(env.get("BROKER_VISIBILITY_TIMEOUT", "5")),
            media_store=env.get("MEDIA_STORE", "filesystem"),
            media_dir=env.get("MEDIA_DIR", "var/media"),
            desk_url=env.get(
                "DESK_URL", f"http://127.0.0.1:{env.get('INGEST_PORT', '8001')}/desk"
            ).rstrip("/"),
            desk_secure_cookies=env.get("DESK_SECURE_COOKIES", "1") not in ("0", "false", "no"),
            secret_key=env.get("SECRET_KEY") or None,
        )


def get_settings() -> Settings:
    """Settings as the environment says now (cheap; read at start-up by each process)."""
    return Settings.from_env()
