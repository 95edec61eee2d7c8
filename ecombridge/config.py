"""Process configuration, read from ECOMBRIDGE_* environment variables."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./data/ecombridge.db"


class Config(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ECOMBRIDGE_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 8080
    # The address clients and browsers use to reach this bridge (OAuth redirects, links in paging).
    public_base_url: str = ""
    log_level: str = "info"
    # Largest request body accepted, in bytes; larger bodies are answered with 413.
    max_body_bytes: int = 16 * 1024 * 1024
    # Lifetime of OAuth access tokens, in seconds (HubSpot's were 6 hours; 1800 s since 2021).
    access_token_ttl_seconds: int = 1800
    # SQLite: PRAGMA synchronous. FULL keeps "a 204 means fsynced" in WAL mode.
    sqlite_synchronous: str = "FULL"
    # Signs the web UI's session cookies; set it when several processes serve the UI (unset: a
    # random key per process, so sessions end when it restarts).
    session_secret: str = ""
    # API rate limits per credential (docs/api-limits.md): requests per rolling window, e.g.
    # 190/10s (off: none); requests per day (0: none), reset at midnight in the portal's time zone;
    # where requests are counted: memory (per process), database (shared by every API process)
    # or auto (the database on PostgreSQL, memory on SQLite).
    rate_limit: str = "1000/10s"
    daily_limit: int = 1_000_000
    rate_limit_store: str = "auto"

    # /readyz fails (503) while the longest-waiting queued batch or job has waited longer than
    # this, in seconds (the workers are stuck, gone or far behind).
    ready_max_queue_age_seconds: int = 300
    # ecombridge serve restarts a worker process that died after this many seconds, doubled
    # while it keeps dying within a minute of its start (up to 30 s).
    worker_restart_backoff_seconds: float = 0.5
    # A pending association (its target not synced yet) is forgotten after this many days; the
    # association error of its object stays OPEN (0: kept forever).
    pending_association_ttl_days: int = 30

    # Backpressure (docs/api-limits.md): sync batches waiting to be applied, per portal and in
    # all, beyond which the intake answers 429 with Retry-After (0: no ceiling).
    max_queued_batches_per_portal: int = 20_000
    max_queued_batches: int = 100_000
    # The HTTP server: connections served at once (more are answered 503), seconds an idle
    # keep-alive connection is kept, and seconds a client may take to send a request's headers
    # and body (a slow client is disconnected; 0: no limit).
    max_connections: int = 1000
    keep_alive_timeout_seconds: int = 5
    request_read_timeout_seconds: float = 30.0

    def base_url(self) -> str:
        return self.public_base_url.rstrip("/") or f"http://{self.host}:{self.port}"


@lru_cache(maxsize=1)
def get_config() -> Config:
    return Config()
