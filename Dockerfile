# One image for every Warta service: the web services, the relay, the workers and the
# one-shot migration differ only in the command that docker-compose.yml gives them.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# The services never need root; a fixed uid/gid keeps file ownership predictable on volumes.
RUN groupadd --system --gid 10001 warta \
    && useradd --system --uid 10001 --gid warta --home-dir /app --shell /usr/sbin/nologin warta

# Build from a copy of the sources and install the package itself (not editable): the code
# runs from site-packages, owned by root, so the service user cannot change it.
WORKDIR /src
COPY pyproject.toml ./
COPY shared ./shared
COPY services ./services
RUN pip install --no-cache-dir . \
    && cd / && rm -rf /src

# The working directory is the service user's home and writable by it: gunicorn keeps its
# control socket under $HOME, and the embedded default `var/warta.db` works in a bare
# `docker run` (in compose DATABASE_URL points at PostgreSQL).
WORKDIR /app
RUN chown warta:warta /app
USER warta

EXPOSE 8001 8002

# Every compose service sets its own command; bare, the image lists what it can do.
CMD ["warta", "--help"]
