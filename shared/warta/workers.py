"""What every Warta worker adds to Celery's consumer.

Celery's Redis transport keeps each message a worker holds (running, waiting in its prefetch,
or waiting for a retry's countdown) in the `unacked` hash, stamped in the `unacked_index`
sorted set with the time it was taken. Any worker gives a message whose stamp is older than
the visibility timeout back to its queue. Workers renew the stamps of the messages they hold
every second, so the timeout can be a few seconds: a dead worker's messages come back within
seconds, and a live worker's long task is never handed to another."""

from __future__ import annotations

import functools
import logging
import time
from typing import Any, cast

from celery import bootsteps
from celery.worker.consumer import Consumer

log = logging.getLogger(__name__)

RENEW_EVERY_SECONDS = 1.0
# While the broker is away, a worker tries it again after 1, 2, then every 3 s (kombu's default
# waits 2, 4, 6 ... up to 30 s between tries, which alone would outlast the recovery we promise).
RECONNECT_EVERY_SECONDS = 3.0


class HeldMessages(bootsteps.StartStopStep):
    """Renews the stamps of this worker's messages and gives back those of dead workers."""

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def __init__(self, consumer: Any, **kwargs: Any) -> None:
        super().__init__(consumer, **kwargs)
        self.entry: Any = None

    def start(self, consumer: Any) -> None:
        # The consumer's timer runs in the worker's event loop, the thread that owns the
        # channel: no lock is needed around kombu's state.
        self.entry = consumer.timer.call_repeatedly(RENEW_EVERY_SECONDS, renew, (consumer,))

    def stop(self, consumer: Any) -> None:
        if self.entry is not None:
            self.entry.cancel()
            self.entry = None

    shutdown = stop


def renew(consumer: Consumer) -> int:
    """Stamp this worker's held messages with the time now, then give back every message whose
    stamp is older than the visibility timeout (its worker died, or Redis restarted under it);
    returns how many were renewed."""
    task_consumer = cast(Any, consumer).task_consumer
    channel = getattr(task_consumer, "channel", None)
    if channel is None or not hasattr(channel, "unacked_index_key"):
        return 0  # not connected yet, or not the Redis transport
    try:
        tags = list(channel.qos._delivered)
        if tags:
            # A client of the channel's pool, as kombu's own acknowledgements use: the channel's
            # `client` holds the connection that waits in BRPOP, and a command sent on it would
            # read the message BRPOP returns as its own reply. XX: only stamps still there; a
            # message acknowledged meanwhile stays gone.
            with channel.conn_or_acquire() as client:
                client.zadd(channel.unacked_index_key, dict.fromkeys(tags, time.time()), xx=True)
        channel.qos.restore_visible(num=channel.unacked_restore_limit, interval=1)
    except Exception as error:  # the broker is away: the reconnection takes over
        log.debug("could not renew held messages: %s", error)
        return 0
    return len(tags)


class WartaConsumer(Consumer):
    """Celery's consumer, reconnecting every few seconds while the broker is away."""

    def ensure_connected(self, conn: Any) -> Any:
        conn.ensure_connection = functools.partial(
            conn.ensure_connection,
            interval_start=1,
            interval_step=1,
            interval_max=RECONNECT_EVERY_SECONDS,
        )
        return super().ensure_connected(conn)
