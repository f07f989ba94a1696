"""The `warta` command."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import cast

import click
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warta.db import session_scope
from warta.models import Office
from warta.settings import Settings, get_settings


@click.group()
def main() -> None:
    """Warta: an event-driven newsroom publishing system."""


@main.command()
@click.option(
    "--var-dir",
    default="var",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the embedded database and Redis keep their files.",
)
@click.option("--no-demo", is_flag=True, help="Do not submit the demo reports.")
def up(var_dir: Path, no_demo: bool) -> None:
    """Run the whole system locally (embedded Redis and SQLite unless told otherwise)."""
    from warta.local_run import run_locally

    raise SystemExit(run_locally(var_dir, load_demo=not no_demo))


@main.group()
def db() -> None:
    """The database schema."""


@db.command()
@click.option(
    "--wait",
    "wait_seconds",
    default=0.0,
    show_default=True,
    help="Seconds to keep trying while the database does not answer yet (a first start).",
)
def upgrade(wait_seconds: float) -> None:
    """Migrate the database to the newest schema."""
    from warta.schema import upgrade_database, wait_for_database

    url = get_settings().database_url
    if wait_seconds:
        wait_for_database(url, wait_seconds)
    upgrade_database(url)
    click.echo("database is up to date")


@main.group()
def offices() -> None:
    """Field offices and their keys."""


@offices.command("add")
@click.argument("slug")
@click.option("--name", required=True, help="The office's display name.")
@click.option("--timezone", default=None, help="IANA timezone, if not the site's.")
@click.option(
    "--region",
    default=None,
    help='The province, regency or city it serves: a Kemendagri code ("35.14") or a name '
    '("Kabupaten Pasuruan", "Jawa Timur"). It settles place names that regions share.',
)
def offices_add(slug: str, name: str, timezone: str | None, region: str | None) -> None:
    """Add an office; prints its key as the last line (shown only this once)."""
    from warta.offices import add_office, find_office

    code = _region_code(region, "--region") if region is not None else None
    with session_scope(get_settings().database_url) as session:
        if find_office(session, slug) is not None:
            raise click.ClickException(f"office {slug!r} exists already")
        key = add_office(session, slug, name, timezone, code)
    where = f" ({_region_label(code)}, {code})" if code else ""
    click.echo(f"added office {slug}{where}; its key:")
    click.echo(key)


@offices.command("set-region")
@click.argument("slug")
@click.argument("region")
def offices_set_region(slug: str, region: str) -> None:
    """Set the province, regency or city an office serves (a code or a name)."""
    code = _region_code(region, "REGION")
    with session_scope(get_settings().database_url) as session:
        _office(session, slug).region = code
    click.echo(f"office {slug} serves {_region_label(code)} ({code})")


def _region_code(region: str, parameter: str) -> str:
    from warta.regions import UnknownRegion, find_region

    try:
        return find_region(region).code
    except UnknownRegion as error:
        raise click.BadParameter(str(error), param_hint=parameter) from None


def _region_label(code: str) -> str:
    from warta.regions import find_region

    return find_region(code).label


@offices.command("list")
def offices_list() -> None:
    """List the offices with their active keys and articles."""
    from warta.models import Article, OfficeKey, utcnow

    now = utcnow()
    with session_scope(get_settings().database_url, writer=False) as session:
        for office in session.scalars(select(Office).order_by(Office.slug)):
            keys = session.scalars(select(OfficeKey).where(OfficeKey.office_id == office.id))
            active = sum(1 for key in keys if key.is_active(now))
            articles = session.scalar(
                select(func.count()).select_from(Article).where(Article.office_id == office.id)
            )
            click.echo(
                f"{office.slug:<24} {office.name:<40} region={office.region or '-':<6}"
                f" keys={active} articles={articles}"
            )


@main.group()
def keys() -> None:
    """Rotate or revoke an office's keys."""


@keys.command("rotate")
@click.argument("slug")
@click.option(
    "--grace",
    "grace_hours",
    default=24.0,
    show_default=True,
    help="Hours the old keys keep working.",
)
def keys_rotate(slug: str, grace_hours: float) -> None:
    """Issue a new key; the old ones expire after the grace period. Prints the new key last."""
    from warta.offices import rotate_keys

    with session_scope(get_settings().database_url) as session:
        key = rotate_keys(session, _office(session, slug), timedelta(hours=grace_hours))
    _announce_key_change()
    click.echo(f"new key for {slug}; old keys expire in {grace_hours:g} h:")
    click.echo(key)


@keys.command("revoke")
@click.argument("slug")
def keys_revoke(slug: str) -> None:
    """Revoke every key of an office at once."""
    from warta.offices import revoke_keys

    with session_scope(get_settings().database_url) as session:
        count = revoke_keys(session, _office(session, slug))
    _announce_key_change()
    click.echo(f"revoked {count} key(s) of {slug}")


def _announce_key_change() -> None:
    import redis

    from warta.offices import announce_key_change
    from warta.redis_client import get_redis

    try:
        announce_key_change(get_redis(get_settings().redis_url))
    except redis.RedisError as error:
        click.echo(
            f"Redis could not be told ({type(error).__name__}): ingest processes that remember "
            "the old keys keep them for up to 5 s.",
            err=True,
        )


def _office(session: Session, slug: str) -> Office:
    from warta.offices import find_office

    office = find_office(session, slug)
    if office is None:
        raise click.ClickException(f"no office {slug!r}")
    return office


@main.group()
def users() -> None:
    """The people who write on the desk (/desk/)."""


@users.command("add")
@click.argument("email")
@click.option("--office", "slug", required=True, help="The office's slug.")
@click.option(
    "--role",
    type=click.Choice(["reporter", "editor"]),
    required=True,
    help="reporter: writes and revises their own reports; editor: any of the office's, and "
    "retracts them.",
)
def users_add(email: str, slug: str, role: str) -> None:
    """Add a person; prints a one-time link to set their password (valid 72 hours)."""
    from warta.users import UserError, add_user, password_link

    settings = get_settings()
    with session_scope(settings.database_url) as session:
        try:
            token = add_user(session, email, _office(session, slug), role)
        except UserError as error:
            raise click.ClickException(str(error)) from None
    click.echo(f"added {role} {email.strip().lower()} of {slug}; their link to set a password:")
    click.echo(password_link(settings.desk_url, token))


@users.command("reset")
@click.argument("email")
def users_reset(email: str) -> None:
    """A new one-time link to set the password (the old password works until it is used)."""
    from warta.users import find_user, new_password_token, password_link

    settings = get_settings()
    with session_scope(settings.database_url) as session:
        user = find_user(session, email)
        if user is None:
            raise click.ClickException(f"no user {email!r}")
        token = new_password_token(user)
    click.echo(f"a new link to set the password of {user.email}:")
    click.echo(password_link(settings.desk_url, token))


@users.command("list")
def users_list() -> None:
    """The people of every office, with their roles."""
    from warta.models import User

    with session_scope(get_settings().database_url, writer=False) as session:
        for user in session.scalars(select(User).order_by(User.email)):
            state = "active" if user.password_hash else "awaiting password"
            click.echo(f"{user.email:<40} {user.office.slug:<24} {user.role:<9} {state}")


@main.command()
@click.option("--ingest-url", default=None, help="Default: http://127.0.0.1:$INGEST_PORT")
@click.option("--key", envvar="WARTA_KEY", required=True, help="The office key (or $WARTA_KEY).")
def demo(ingest_url: str | None, key: str) -> None:
    """Submit the four sample reports through the ingest API, each with its photo."""
    from warta import demo as demo_reports

    url = ingest_url or f"http://127.0.0.1:{get_settings().ingest_port}"
    for report in demo_reports.sample_reports():
        answer = demo_reports.submit(url, key, report)
        click.echo(
            f"submitted {report['external_id']}: article {answer['id']}, "
            f"revision {answer['revision']}"
        )


@main.command()
def relay() -> None:
    """Send committed outbox messages to the broker, send the rebuilds whose changes wait,
    release scheduled reports, send work whose message was lost on again, and purge expired
    idempotency answers, forever."""
    import signal
    import threading

    from warta.celery_app import app
    from warta.coalescing import DueJobs
    from warta.logs import configure_logging
    from warta.outbox import celery_sender, relay_forever
    from warta.recovery import SWEEP_EVERY_SECONDS, LostWork
    from warta.redis_client import get_redis
    from warta.schedule import SWEEP_SECONDS, release_due
    from warta.sweeps import Sweep, purge_expired_answers, run_sweeps

    settings = get_settings()
    configure_logging(settings)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    url, redis = settings.database_url, get_redis(settings.redis_url)
    send = celery_sender(app)
    jobs, lost = DueJobs(url, redis, send), LostWork(url, redis)
    sweeps = run_sweeps(
        [
            Sweep("coalesced jobs", 0.25, jobs.send_due),
            Sweep("scheduled publishing", SWEEP_SECONDS, lambda: release_due(url)),
            Sweep("lost work", SWEEP_EVERY_SECONDS, lost.sweep),
            Sweep("idempotency answers", 3600, lambda: purge_expired_answers(url)),
        ],
        stop,
    )
    relay_forever(url, send, stop=stop)
    for sweep in sweeps:
        sweep.join()


VAR_DIR_OPTION = click.option(
    "--var-dir",
    default="var",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where `warta up` keeps its files: a local run there is found (unless REDIS_URL or "
    "DATABASE_URL is set).",
)


def _operator_settings(var_dir: Path) -> tuple[Settings, str]:
    """The settings that `status` and `failed` read, and where they come from: the environment
    if it names Redis or the database, else a `warta up` running from `var_dir`, else the
    defaults (said plainly: the machine's default Redis may be another system's)."""
    import os

    from warta.local_run import RUN_STATE, find_local_run

    if "REDIS_URL" in os.environ or "DATABASE_URL" in os.environ:
        return get_settings(), "the environment (REDIS_URL, DATABASE_URL)"
    found = find_local_run(var_dir)
    if found is not None:
        pid, env = found
        where = f"the local run (warta up, pid {pid}, {var_dir / RUN_STATE})"
        return Settings.from_env({**os.environ, **env}), where
    return get_settings(), (
        f"the defaults: no REDIS_URL or DATABASE_URL set, and no local run in {var_dir}/"
    )


@main.command()
@VAR_DIR_OPTION
def status(var_dir: Path) -> None:
    """Queues, outbox backlog, failures and the last publish at a glance. Exits with 1 when
    Redis or the database cannot be reached, or no worker answers."""
    from warta.status import Line, system_status

    settings, source = _operator_settings(var_dir)
    click.echo(str(Line("reading", source)))
    reached = True
    for line in system_status(settings):
        click.echo(str(line))
        reached = reached and line.ok
    if not reached:
        raise SystemExit(1)


@main.command()
@click.option(
    "--stage",
    type=click.Choice(["render"]),
    required=True,
    help="The stage to run again on every published report.",
)
@click.option("--wait/--no-wait", default=True, show_default=True, help="Follow the workers.")
@click.option("--timeout", default=3600.0, show_default=True, help="Seconds to follow them.")
def reprocess(stage: str, wait: bool, timeout: float) -> None:
    """Run a stage again on every published report (e.g. render after a template change).

    The old snippets are served until each new one is stored; the pages are composed again
    once the last report is done."""
    import time
    import uuid

    from warta.celery_app import app
    from warta.document_paths import REPROCESS_KEY
    from warta.messages import RERENDER
    from warta.models import Article
    from warta.redis_client import get_redis

    settings = get_settings()
    with session_scope(settings.database_url, writer=False) as session:
        ids = list(
            session.scalars(
                select(Article.id)
                .where(Article.live_revision.is_not(None), Article.retracted_at.is_(None))
                .order_by(Article.id)
            )
        )
    if not ids:
        click.echo("no published reports")
        return
    run = uuid.uuid4().hex
    with click.progressbar(ids, label=f"queueing {stage}") as bar:
        for article_id in bar:
            app.send_task(
                RERENDER, kwargs={"article_id": article_id, "run": run, "total": len(ids)}
            )
    if not wait:
        click.echo(f"queued {len(ids)} reports (run {run})")
        return
    redis, key = get_redis(settings.redis_url), REPROCESS_KEY.format(run=run)
    deadline, done = time.monotonic() + timeout, 0
    with click.progressbar(length=len(ids), label=f"{stage} done") as bar:
        while done < len(ids):
            now_done = int(cast(bytes | None, redis.get(key)) or 0)
            bar.update(now_done - done)
            done = now_done
            if done < len(ids):
                if time.monotonic() > deadline:
                    raise click.ClickException(f"{done}/{len(ids)} done; are workers running?")
                time.sleep(0.5)
    click.echo(f"re-rendered {len(ids)} reports")


@main.group()
def failed() -> None:
    """Tasks that failed for good: list them, replay them."""


@failed.command("list")
@click.option("--all", "everything", is_flag=True, help="Replayed ones too.")
@VAR_DIR_OPTION
def failed_list(everything: bool, var_dir: Path) -> None:
    """One line per failure: id, when, task, what it was about, why."""
    from warta.failures import open_failures

    settings, source = _operator_settings(var_dir)
    click.echo(f"reading {source}: {_without_password(settings.database_url)}", err=True)
    with session_scope(settings.database_url, writer=False) as session:
        failures = open_failures(session, everything)
        for failure in failures:
            replayed = (
                f" (replayed {failure.replayed_at:%Y-%m-%d %H:%M})" if failure.replayed_at else ""
            )
            click.echo(
                f"{failure.id:>6} {failure.created_at:%Y-%m-%d %H:%M:%S} {failure.task:<22} "
                f"{json.dumps(failure.payload, sort_keys=True)} {failure.error}{replayed}"
            )
    click.echo(f"{len(failures)} failure(s)")


@failed.command("replay")
@click.argument("ids", nargs=-1, type=int)
@click.option("--all", "everything", is_flag=True, help="Every failure not yet replayed.")
@VAR_DIR_OPTION
def failed_replay(ids: tuple[int, ...], everything: bool, var_dir: Path) -> None:
    """Send failed tasks again, their reports put back where they failed."""
    from warta.failures import open_failures, replay_failure

    if not ids and not everything:
        raise click.UsageError("name failure ids, or --all")
    settings, source = _operator_settings(var_dir)
    click.echo(f"reading {source}: {_without_password(settings.database_url)}", err=True)
    with session_scope(settings.database_url) as session:
        chosen = [f for f in open_failures(session) if everything or f.id in ids]
        missing = set(ids) - {f.id for f in chosen}
        if missing:
            raise click.ClickException(f"no open failure {sorted(missing)}")
        for failure in chosen:
            replay_failure(session, failure)
    click.echo(f"replayed {len(chosen)} failure(s)")


def _without_password(url: str) -> str:
    from sqlalchemy import make_url

    return make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":
    main()
