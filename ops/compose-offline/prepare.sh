#!/bin/bash
# Stand-in images for trying a docker compose deployment on a Debian bookworm host with no
# container registry: Debian's docker.io daemon with no bridge network (every container must use
# the host's network: only loopback traffic is allowed here), Debian's docker-compose 1.29 (v1)
# reached as `docker compose` through a CLI-plugin shim, and images built from a debootstrapped
# bookworm, tagged python:3.11-slim, redis:7-alpine and postgres:16-alpine (Debian's python3.11,
# redis 7.0 and PostgreSQL 15). Needs root and apt.
#
#   bash prepare.sh            start dockerd (if none runs) and build the stand-ins
#   source $W/env.sh            DOCKER_CONFIG for the `docker compose` shim
#   bash prepare.sh stop       stop the dockerd this script started
#
# Your compose override must set `network_mode: host` on every service, drop `ports:` (v1
# refuses them with host networking: generate a copy of the file without them) and move every
# port off the ones the host already uses (6379, 5432, 8001, 8002, 9101): Warta's is
# ops/compose-host-network.yml. Another image (say, a reverse proxy) is built the same way: a
# Dockerfile FROM debian-local:bookworm that installs Debian's package, tagged with the name compose uses.
set -euo pipefail
W=${W:-${TMPDIR:-/tmp}/compose-offline}
mkdir -p "$W"
MIRROR=$(grep -h -oE '^(URIs:|deb) +https?://[^ ]+/debian$|^(URIs:|deb) +https?://[^ ]+/debian ' /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null | head -n1 | awk '{print $2}')
cat > "$W/env.sh" <<EOF
export DOCKER_CONFIG=$W/docker-config
EOF
if [ "${1:-}" = stop ]; then
  if [ -s "$W/dockerd.pid" ]; then kill "$(cat "$W/dockerd.pid")"; rm -f "$W/dockerd.pid"; fi
  exit 0
fi

# 1. Daemon, compose, debootstrap from Debian.
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y docker.io docker-compose debootstrap
if ! docker info >/dev/null 2>&1; then
  nohup /usr/sbin/dockerd --bridge=none --iptables=false --ip-masq=false --ip6tables=false \
    >"$W/dockerd.log" 2>&1 &
  echo $! >"$W/dockerd.pid"
  for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
fi

# 2. `docker compose ...` -> docker-compose v1 (a CLI plugin found through DOCKER_CONFIG).
mkdir -p "$W/docker-config/cli-plugins"
cat > "$W/docker-config/cli-plugins/docker-compose" <<'EOF'
#!/bin/sh
if [ "$1" = docker-cli-plugin-metadata ]; then
  echo '{"SchemaVersion":"0.1.0","Vendor":"Debian docker-compose (v1 shim)","Version":"1.29.2","ShortDescription":"Docker Compose v1"}'
  exit 0
fi
[ "$1" = compose ] && shift
exec /usr/bin/docker-compose "$@"
EOF
chmod 755 "$W/docker-config/cli-plugins/docker-compose"
source "$W/env.sh"

# 3. Base image: debootstrapped bookworm from the host's Debian mirror.
[ -x "$W/rootfs/bin/bash" ] || debootstrap --variant=minbase --include=ca-certificates bookworm \
  "$W/rootfs" "$MIRROR"
tar -C "$W/rootfs" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["bash"]' - debian-local:bookworm

S=$W/standins
mkdir -p "$S/python" "$S/redis" "$S/postgres"
# Extra CA certificates the host trusts (if any) are trusted inside the python stand-in too.
cp /usr/local/share/ca-certificates/*.crt "$S/python/" 2>/dev/null || true

cat > "$S/python/Dockerfile" <<'EOF'
# Stand-in for python:3.11-slim: Debian's python3 (3.11) in a venv at /usr/local/py on PATH.
FROM debian-local:bookworm
ENV LANG=C.UTF-8
RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-venv ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY . /tmp/ca/
RUN cp /tmp/ca/*.crt /usr/local/share/ca-certificates/ 2>/dev/null; rm -rf /tmp/ca; update-ca-certificates
ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
    PATH=/usr/local/py/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN python3 -m venv /usr/local/py && pip install --no-cache-dir pip==24.0 setuptools==65.5.1 wheel
CMD ["python3"]
EOF

cat > "$S/redis/docker-entrypoint.sh" <<'EOF'
#!/bin/sh
set -e
case "$1" in -*|*.conf) set -- redis-server "$@";; esac
if [ "$1" = redis-server ] && [ "$(id -u)" = 0 ]; then
  find . \! -user redis -exec chown redis '{}' +
  exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
fi
umask 0077
exec "$@"
EOF
cat > "$S/redis/Dockerfile" <<'EOF'
# Stand-in for redis:7-alpine: Debian's redis-server 7.0.
FROM debian-local:bookworm
RUN apt-get update && apt-get install -y --no-install-recommends redis-server redis-tools \
    && rm -rf /var/lib/apt/lists/* && mkdir -p /data && chown redis:redis /data
COPY docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
RUN chmod 755 /usr/local/bin/docker-entrypoint.sh
VOLUME /data
WORKDIR /data
EXPOSE 6379
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["redis-server"]
EOF

cat > "$S/postgres/docker-entrypoint.sh" <<'EOF'
#!/bin/bash
# First start: initdb with POSTGRES_USER/POSTGRES_PASSWORD, create POSTGRES_DB (as the official image).
set -Eeo pipefail
if [ "${1:0:1}" = - ]; then set -- postgres "$@"; fi
if [ "$1" = postgres ] && [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" && chown -R postgres:postgres "$PGDATA" && chmod 700 "$PGDATA"
  mkdir -p /var/run/postgresql && chown postgres:postgres /var/run/postgresql && chmod 3777 /var/run/postgresql
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$BASH_SOURCE" "$@"
fi
if [ "$1" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
    echo "Error: Database is uninitialized and superuser password is not specified." >&2; exit 1
  fi
  export POSTGRES_USER="${POSTGRES_USER:-postgres}"
  export POSTGRES_DB="${POSTGRES_DB:-$POSTGRES_USER}"
  initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") -D "$PGDATA" $POSTGRES_INITDB_ARGS
  printf '\nhost all all all %s\n' "${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}" >> "$PGDATA/pg_hba.conf"
  pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p ${PGPORT:-5432}" -w start
  if [ "$POSTGRES_DB" != postgres ]; then
    PGHOST=/var/run/postgresql psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password \
      --dbname postgres -c "CREATE DATABASE \"$POSTGRES_DB\""
  fi
  pg_ctl -D "$PGDATA" -m fast -w stop
  echo "PostgreSQL init process complete; ready for start up."
fi
exec "$@"
EOF
cat > "$S/postgres/Dockerfile" <<'EOF'
# Stand-in for postgres:16-alpine: Debian's PostgreSQL 15 (bookworm has no 16).
FROM debian-local:bookworm
ENV LANG=C.UTF-8
RUN mkdir -p /etc/postgresql-common/createcluster.d \
    && echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.d/no-main.conf \
    && apt-get update && apt-get install -y --no-install-recommends postgresql-15 \
    && rm -rf /var/lib/apt/lists/*
ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PGDATA=/var/lib/postgresql/data
RUN mkdir -p "$PGDATA" /var/run/postgresql && chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql \
    && chmod 700 "$PGDATA" && chmod 3777 /var/run/postgresql
COPY docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
RUN chmod 755 /usr/local/bin/docker-entrypoint.sh
VOLUME /var/lib/postgresql/data
ENTRYPOINT ["docker-entrypoint.sh"]
STOPSIGNAL SIGINT
EXPOSE 5432
CMD ["postgres"]
EOF
for img in python:3.11-slim redis:7-alpine postgres:16-alpine; do
  DOCKER_BUILDKIT=0 docker build -q --network host -t "$img" "$S/${img%%:*}"
done

echo "stand-in images ready; now: source $W/env.sh"
