#!/usr/bin/env bash
# swift-server.sh - skybutler's throw-away OpenStack Swift for tests: the real Swift servers
# (Debian 12's swift packages) on 127.0.0.1, everything (swift.conf, configs, rings, data, logs,
# pid files) under DIR, nothing written to /etc. Adapted from ../shared/notes/swift-saio.sh (the
# measured reference); test/support/swift-server.ts drives it.
#
#   swift-server.sh start DIR PORT    build DIR, start account/container/object servers and a
#                                     tempauth proxy on 127.0.0.1:PORT; prints KEY=VALUE lines
#   swift-server.sh keystone DIR      add Keystone (sqlite, uwsgi) and a proxy that validates its
#                                     tokens to a running instance (about 11 s); prints KEY=VALUE
#   swift-server.sh stop DIR          stop every process recorded in DIR/run/*.pid, by PID
#   swift-server.sh status DIR        rc 0 all alive, 1 some dead, 3 nothing recorded
#
# Installing the Debian packages is scripts/setup.mjs's job (npm test runs it).
#
# Ports: proxy (tempauth) PORT, account PORT+1, container PORT+2, object PORT+3, keystone PORT+4,
#   keystone-token proxy PORT+5. All six must be free at start.
#
# Environment knobs (all optional):
#   SAIO_MAX_FILE_SIZE=bytes   swift.conf max_file_size (default 5368709122)
#   SAIO_LISTING_LIMIT=n       swift.conf container_listing_limit (default 10000); small in tests
#                              so that listings have to page
#   SAIO_TOKEN_LIFE=s          tempauth token_life (default 86400)
#   SAIO_LOG_LEVEL=INFO        server log level (logs in DIR/log/*.log)
#   SAIO_START_TIMEOUT=60      seconds to wait for the servers to answer
set -euo pipefail

KEYSTONE_PKGS="python3-keystone python3-keystonemiddleware"
# Debian's python: the swift/keystone modules live in its dist-packages; a pyenv/venv python3
# earlier in PATH would not find them.
PY=/usr/bin/python3

die() { echo "swift-server: $*" >&2; exit 1; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# start time (clock ticks since boot) of a process, from /proc/PID/stat
proc_start() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20; }

# pid files hold "PID STARTTIME": true if that very process is still alive (the start time guards
# against a reused PID)
pid_file_alive() {
  local pid start
  read -r pid start <"$1" 2>/dev/null || return 1
  [[ -n "$pid" && -n "$start" ]] && kill -0 "$pid" 2>/dev/null &&
    [[ "$(proc_start "$pid")" == "$start" ]]
}

write_configs() {
  local dir=$1 port=$2 etc=$1/etc
  local aport=$((port + 1)) cport=$((port + 2)) oport=$((port + 3))
  local kport=$((port + 4)) kpport=$((port + 5))
  local level=${SAIO_LOG_LEVEL:-INFO}
  local listing_limit=${SAIO_LISTING_LIMIT:-10000}

  # Read instead of /etc/swift/swift.conf (see lib/saio_launch.py).
  cat >"$etc/swift.conf" <<EOF
[swift-hash]
swift_hash_path_prefix = saio-prefix
swift_hash_path_suffix = saio-suffix

[storage-policy:0]
name = gold
default = yes

[swift-constraints]
max_file_size = ${SAIO_MAX_FILE_SIZE:-5368709122}
container_listing_limit = ${SAIO_LISTING_LIMIT:-10000}
EOF

  # workers = 0: each server is ONE process, no fork, no privilege drop (so
  # `user` is not used and it runs as whoever started it, root included).
  local common="devices = $dir/srv/node
mount_check = false
disable_fallocate = true
bind_ip = 127.0.0.1
workers = 0
swift_dir = $etc
log_level = $level"

  local s p
  for s in account container object; do
    case $s in account) p=$aport ;; container) p=$cport ;; object) p=$oport ;; esac
    cat >"$etc/$s-server.conf" <<EOF
[DEFAULT]
$common
bind_port = $p
log_name = $s-server

[pipeline:main]
pipeline = healthcheck $s-server

[app:$s-server]
use = egg:swift#$s

[filter:healthcheck]
use = egg:swift#healthcheck
EOF
  done

  cat >"$etc/proxy-server.conf" <<EOF
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = $port
workers = 0
swift_dir = $etc
log_level = $level
log_name = proxy-server

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk tempurl ratelimit s3api tempauth copy container-quotas account-quotas slo dlo versioned_writes symlink proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
allow_account_management = true

[filter:s3api]
# the S3 API on the same servers: tempauth users are S3 access keys ("test:tester"), their
# passwords the secret keys; buckets are containers of the user's account
use = egg:swift#s3api
location = us-east-1
# s3api asks Swift for max_bucket_listing + 1 names: stay below container_listing_limit
max_bucket_listing = $(( listing_limit - 1 < 1000 ? listing_limit - 1 : 1000 ))

[filter:tempauth]
use = egg:swift#tempauth
# user_<account>_<user> = <key> [group] [group] ... ; .admin = account owner
user_admin_admin = admin .admin .reseller_admin
user_test_tester = testing .admin
user_test_tester2 = testing2 .admin
user_test_tester3 = testing3
user_test2_tester2 = testing2 .admin
token_life = ${SAIO_TOKEN_LIFE:-86400}

[filter:cache]
paste.filter_factory = saio_cache:filter_factory

[filter:catch_errors]
use = egg:swift#catch_errors

[filter:gatekeeper]
use = egg:swift#gatekeeper

[filter:healthcheck]
use = egg:swift#healthcheck

[filter:proxy-logging]
use = egg:swift#proxy_logging

[filter:listing_formats]
use = egg:swift#listing_formats

[filter:bulk]
use = egg:swift#bulk

[filter:tempurl]
use = egg:swift#tempurl

[filter:ratelimit]
use = egg:swift#ratelimit

[filter:copy]
use = egg:swift#copy

[filter:container-quotas]
use = egg:swift#container_quotas

[filter:account-quotas]
use = egg:swift#account_quotas

[filter:slo]
use = egg:swift#slo
# Swift throttles large-object GETs of small segments (< 1 MiB) to 1 segment/s after the 10th;
# the tests' segments are 256 KiB, and the throttle would only measure sleep
rate_limit_segments_per_sec = 0

[filter:dlo]
use = egg:swift#dlo

[filter:versioned_writes]
use = egg:swift#versioned_writes
allow_versioned_writes = true
allow_object_versioning = true

[filter:symlink]
use = egg:swift#symlink
EOF

  # keystone configs are always written (cheap); only `keystone DIR` starts keystone
  # Same pipeline and backends, but authtoken + keystoneauth instead of tempauth.
  sed -e "s/^bind_port = $port\$/bind_port = $kpport/" \
      -e "s/^log_name = proxy-server\$/log_name = proxy-keystone/" \
      -e "s/ ratelimit s3api tempauth copy / ratelimit authtoken keystoneauth copy /" \
      "$etc/proxy-server.conf" >"$etc/proxy-keystone.conf"
  cat >>"$etc/proxy-keystone.conf" <<EOF

[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory
www_authenticate_uri = http://127.0.0.1:$kport/v3
auth_url = http://127.0.0.1:$kport/v3
auth_type = password
project_domain_id = default
user_domain_id = default
project_name = service
username = swift
password = swiftpass
delay_auth_decision = True
cache = swift.cache
include_service_catalog = False
# -1: validate every token with keystone, so a token revoked there is refused at once (tests of
# the 401 -> re-auth path revoke tokens; a cached validation would hide that)
token_cache_time = -1

[filter:keystoneauth]
use = egg:swift#keystoneauth
operator_roles = admin, member
EOF
  mkdir -p "$dir/keystone"
  cat >"$dir/keystone/keystone.conf" <<EOF
[DEFAULT]
use_stderr = true

[database]
connection = sqlite:///$dir/keystone/keystone.db

[token]
provider = fernet

[fernet_tokens]
key_repository = $dir/keystone/fernet-keys

[fernet_receipts]
key_repository = $dir/keystone/fernet-keys

[credential]
key_repository = $dir/keystone/credential-keys

[cache]
enabled = false
EOF
}

write_lib() {
  local lib=$1/lib
  # Launcher: imports Swift once, then forks one child per server; each child
  # runs run_wsgi() exactly as /usr/bin/swift-<name>-server does (Swift forks
  # its own workers the same way, after importing and monkey-patching). Also:
  # swift.conf is read from DIR/etc (Swift hard-codes /etc/swift/swift.conf),
  # logs go to DIR/log/NAME.log only (Swift always adds a syslog handler:
  # /dev/log, else UDP localhost:514), and the rings are built in-process.
  cat >"$lib/saio_launch.py" <<'EOF'
"""usage: saio_launch.py DIR BASE_PORT NAME...   (NAME: account-server,
container-server, object-server, proxy-server, proxy-keystone). Forks one
server per NAME, writes DIR/run/NAME.pid = "PID STARTTIME", then exits."""
import logging
import os
import sys

from swift.common import utils
# run_wsgi() starts with this; doing it once here, before the big imports,
# lets the children skip eventlet's walk over every live object (about 1 s
# of CPU per server otherwise).
utils.eventlet_monkey_patch()

DIR, PORT, NAMES = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
ETC = os.path.join(DIR, 'etc')
sys.path.insert(0, os.path.join(DIR, 'lib'))  # saio_cache
utils.SWIFT_CONF_FILE = os.path.join(ETC, 'swift.conf')


class NoSyslog(logging.NullHandler):
    def __init__(self, *args, **kwargs):
        logging.NullHandler.__init__(self)


utils.ThreadSafeSysLogHandler = NoSyslog
from swift.common import constraints, storage_policy  # noqa: E402
storage_policy.reload_storage_policies()
constraints.reload_constraints()
from swift.common.ring import RingBuilder  # noqa: E402
from swift.common.wsgi import run_wsgi  # noqa: E402
# imported once here, shared copy-on-write by the children
import paste.deploy  # noqa: E402,F401
import swift.account.server  # noqa: E402,F401
import swift.container.server  # noqa: E402,F401
import swift.obj.server  # noqa: E402,F401
import swift.proxy.server  # noqa: E402,F401


def build_rings():
    for offset, name in ((1, 'account'), (2, 'container'), (3, 'object')):
        builder = RingBuilder(6, 1, 1)  # part power 6, 1 replica
        builder.add_dev({'id': 0, 'region': 1, 'zone': 1, 'ip': '127.0.0.1',
                         'port': PORT + offset, 'device': 'd1',
                         'weight': 100, 'meta': ''})
        builder.rebalance()
        builder.save(os.path.join(ETC, name + '.builder'))
        builder.get_ring().save(os.path.join(ETC, name + '.ring.gz'))


def spawn(name):
    section = 'proxy-server' if name.startswith('proxy') else name
    pid = os.fork()
    if pid == 0:
        fd = os.open(os.path.join(DIR, 'log', name + '.log'),
                     os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        with open('/proc/self/comm', 'w') as comm:
            comm.write('saio-' + name[:10])
        try:
            rc = run_wsgi(os.path.join(ETC, name + '.conf'), section,
                          verbose=True)
        except BaseException:
            logging.exception('%s died', name)
            rc = 1
        os._exit(rc or 0)
    with open('/proc/%d/stat' % pid) as stat:
        start = stat.read().rsplit(') ', 1)[1].split()[19]
    with open(os.path.join(DIR, 'run', name + '.pid'), 'w') as f:
        f.write('%d %s\n' % (pid, start))


# the proxies load the rings, the other servers do not; a second proxy started later
# (keystone) reuses the rings already built
if any(n.startswith('proxy') for n in NAMES) and not os.path.exists(
        os.path.join(ETC, 'object.ring.gz')):
    build_rings()
for name in NAMES:
    spawn(name)
EOF

  # In-process stand-in for memcached. tempauth cannot work without a cache
  # (it keeps its tokens there); the proxy runs as ONE process (workers = 0),
  # so a dict is shared by every request. Honours memcached's expiry rules.
  cat >"$lib/saio_cache.py" <<'EOF'
import copy
import time

_MAX_RELATIVE = 30 * 24 * 60 * 60


class InProcCache(object):
    def __init__(self):
        self._data = {}

    def _expires(self, ttl):
        ttl = int(ttl or 0)
        if ttl == 0:
            return None
        if ttl < 0:
            return 0  # memcached: a negative expiry expires the item at once
        return ttl if ttl > _MAX_RELATIVE else time.time() + ttl

    def _live(self, key):
        item = self._data.get(key)
        if item is None:
            return None
        if item[1] is not None and item[1] <= time.time():
            del self._data[key]
            return None
        return item

    def get(self, key, raise_on_error=False):
        item = self._live(key)
        return None if item is None else copy.deepcopy(item[0])

    def set(self, key, value, serialize=True, time=0, min_compress_len=0,
            raise_on_error=False):
        self._data[key] = (copy.deepcopy(value), self._expires(time))

    def incr(self, key, delta=1, time=0):
        item = self._live(key)
        value = max(0, int(item[0] if item else 0) + int(delta))
        self._data[key] = (value, item[1] if item else self._expires(time))
        return value

    def decr(self, key, delta=1, time=0):
        return self.incr(key, -int(delta), time)

    def delete(self, key, server_key=None):
        self._data.pop(key, None)

    def set_multi(self, mapping, server_key, serialize=True, time=0,
                  min_compress_len=0):
        for key, value in mapping.items():
            self.set(key, value, time=time)

    def get_multi(self, keys, server_key):
        return [self.get(key) for key in keys]


def filter_factory(global_conf, **local_conf):
    cache = InProcCache()

    def cache_filter(app):
        def middleware(env, start_response):
            env['swift.cache'] = cache
            return app(env, start_response)
        return middleware
    return cache_filter
EOF

  # Keystone set-up in ONE process: db_sync, fernet_setup, credential_setup,
  # bootstrap of admin/admin, swift/service (admin role), demo/demo (member
  # role), and the object-store service + endpoints. (Creating catalog entries
  # through keystone's REST API with sqlite failed: "database is locked".)
  cat >"$lib/saio_keystone_setup.py" <<'EOF'
import os
import sys
import uuid

import pbr.version
import keystone.conf
from keystone.cmd import bootstrap, cli
from keystone.common import provider_api, sql
from keystone.common.sql import upgrades

conf_file, kport, sport = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
CONF = keystone.conf.CONF
keystone.conf.configure()
sql.initialize()
keystone.conf.set_default_for_default_log_levels()
CONF(args=['--config-file', conf_file], project='keystone',
     version=pbr.version.VersionInfo('keystone').version_string())
keystone.conf.setup_logging()

upgrades.offline_sync_database_to_version()                  # db_sync
uid, gid = os.getuid(), os.getgid()
cli.BasePermissionsSetup.initialize_fernet_repository(       # fernet_setup
    uid, gid, 'fernet_tokens')
futils = cli.fernet_utils.FernetUtils(                       # credential_setup
    CONF.credential.key_repository, cli.credential_fernet.MAX_ACTIVE_KEYS,
    'credential')
futils.create_key_directory(uid, gid)
futils.initialize_key_repository(uid, gid)

b = bootstrap.Bootstrapper()  # loads the backends; only once per process
keystone_url = 'http://127.0.0.1:%d/v3' % kport
for user, password, project, role, catalog in (
        ('admin', 'adminpass', 'admin', 'admin', True),
        ('swift', 'swiftpass', 'service', 'admin', False),
        ('demo', 'demopass', 'demo', 'member', False)):
    b.project_id = b.admin_user_id = b.admin_role_id = None
    b.endpoints = {}
    b.admin_username, b.admin_password = user, password
    b.project_name, b.admin_role_name = project, role
    b.region_id = 'RegionOne'
    b.service_name = 'keystone' if catalog else None
    b.public_url = b.internal_url = b.admin_url = (
        keystone_url if catalog else None)
    b.immutable_roles = True
    b.bootstrap()

catalog_api = provider_api.ProviderAPIs.catalog_api
service_id = uuid.uuid4().hex
catalog_api.create_service(service_id, {
    'id': service_id, 'name': 'swift', 'type': 'object-store',
    'enabled': True})
for interface in ('public', 'internal', 'admin'):
    endpoint_id = uuid.uuid4().hex
    catalog_api.create_endpoint(endpoint_id, {
        'id': endpoint_id, 'service_id': service_id, 'interface': interface,
        'region_id': 'RegionOne', 'enabled': True,
        'url': 'http://127.0.0.1:%d/v1/AUTH_%%(project_id)s' % sport})
print('keystone set up')
EOF
}

# start_proc NAME CMD... : run CMD in the background (a simple command, so $! is CMD's own PID),
# log to DIR/log/NAME.log, record DIR/run/NAME.pid
start_proc() {
  local name=$1; shift
  "$@" >>"$DIR/log/$name.log" 2>&1 </dev/null &
  echo "$! $(proc_start $!)" >"$DIR/run/$name.pid"
}

# wait_http_ok URL DEADLINE : poll URL until 2xx; fail at DEADLINE (epoch s) or as soon as one of
# the recorded processes has died
wait_http_ok() {
  local url=$1 deadline=$2 f
  until curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; do
    (( $(date +%s) < deadline )) || return 1
    for f in "$DIR"/run/*.pid; do
      pid_file_alive "$f" || { echo "swift-server: $(basename "$f" .pid) exited" >&2; return 1; }
    done
    sleep 0.1
  done
}

# wait_all URL... : wait for every URL; on failure print the log tails, stop everything, exit 1
wait_all() {
  local deadline=$(( $(date +%s) + ${SAIO_START_TIMEOUT:-60} )) u
  for u in "$@"; do
    if ! wait_http_ok "$u" "$deadline"; then
      echo "swift-server: $u did not answer; last log lines:" >&2
      tail -n 20 "$DIR"/log/*.log >&2 || true
      cmd_stop "$DIR" >&2 || true
      exit 1
    fi
  done
}

cmd_start() {
  DIR=$1 PORT=$2
  [[ "$PORT" =~ ^[0-9]+$ ]] && (( PORT > 1023 && PORT < 65530 )) || die "bad PORT: $PORT"
  [[ -e /usr/lib/python3/dist-packages/swift/proxy/server.py ]] ||
    die "swift is not installed (run: node scripts/setup.mjs --for-tests, as root)"
  mkdir -p "$DIR"
  DIR=$(cd "$DIR" && pwd)
  # DIR's etc/, lib/, run/, keystone/ get replaced: only in an empty DIR or in one this script
  # made before (marker file), never in e.g. / or $HOME
  if [[ ! -e "$DIR/.swift-server" ]]; then
    [[ -z "$(ls -A "$DIR")" ]] || die "$DIR is not empty and was not made by $0"
    touch "$DIR/.swift-server"
  fi
  local f p
  for f in "$DIR"/run/*.pid; do
    [[ -e "$f" ]] || continue
    pid_file_alive "$f" && die "already running in $DIR (pid file $f)"
  done
  # Swift retries bind() for 30 s on a busy port: check first instead of hanging
  for p in $(seq "$PORT" $((PORT + 5))); do
    port_in_use "$p" && die "port $p on 127.0.0.1 is in use"
  done

  rm -rf "${DIR:?}/etc" "${DIR:?}/lib" "${DIR:?}/run" "${DIR:?}/keystone"
  mkdir -p "$DIR"/{etc,lib,run,log,srv/node/d1}
  echo "$PORT" >"$DIR/port"
  write_configs "$DIR" "$PORT"
  write_lib "$DIR"

  "$PY" "$DIR/lib/saio_launch.py" "$DIR" "$PORT" account-server container-server object-server proxy-server || {
    cmd_stop "$DIR" >&2; die "launcher failed"; }
  wait_all "http://127.0.0.1:$((PORT + 1))/healthcheck" "http://127.0.0.1:$((PORT + 2))/healthcheck" \
    "http://127.0.0.1:$((PORT + 3))/healthcheck" "http://127.0.0.1:$PORT/healthcheck"
  {
    echo "SWIFT_AUTH_URL=http://127.0.0.1:$PORT/auth/v1.0"
    echo "SWIFT_USER=test:tester"
    echo "SWIFT_KEY=testing"
    echo "SWIFT_STORAGE_URL=http://127.0.0.1:$PORT/v1/AUTH_test"
  } | tee "$DIR/env"
}

cmd_keystone() {
  DIR=$(cd "$1" && pwd) || exit 1
  [[ -e "$DIR/.swift-server" && -r "$DIR/port" ]] || die "$DIR holds no instance started by $0"
  PORT=$(cat "$DIR/port")
  command -v uwsgi >/dev/null && [[ -e /usr/bin/keystone-wsgi-public ]] ||
    die "keystone needs: $KEYSTONE_PKGS (run: node scripts/setup.mjs --for-tests, as root)"
  [[ -e "$DIR/run/keystone.pid" ]] && pid_file_alive "$DIR/run/keystone.pid" && die "keystone already runs in $DIR"
  local kport=$((PORT + 4)) kpport=$((PORT + 5))
  if ! "$PY" "$DIR/lib/saio_keystone_setup.py" "$DIR/keystone/keystone.conf" "$kport" "$kpport" \
      >"$DIR/log/keystone-setup.log" 2>&1; then
    tail -n 20 "$DIR/log/keystone-setup.log" >&2; die "keystone set-up failed"
  fi
  "$PY" "$DIR/lib/saio_launch.py" "$DIR" "$PORT" proxy-keystone || die "launcher failed (proxy-keystone)"
  # uwsgi (uwsgi-core + uwsgi-plugin-python3 come with swift-proxy). "Connection: close":
  # keystonemiddleware reuses connections, which plain --http-socket closes after each response;
  # --lazy-apps: the master holds no sqlite handle; one single-threaded worker (sqlite + threads
  # failed).
  start_proc keystone uwsgi --plugin python3 --http-socket "127.0.0.1:$kport" \
    --add-header "Connection: close" --wsgi-file /usr/bin/keystone-wsgi-public \
    --master --processes 1 --enable-threads --lazy-apps --die-on-term --need-app \
    --env "OS_KEYSTONE_CONFIG_DIR=$DIR/keystone"
  wait_all "http://127.0.0.1:$kport/v3" "http://127.0.0.1:$kpport/healthcheck"
  {
    echo "SWIFT_KEYSTONE_AUTH_URL=http://127.0.0.1:$kport/v3"
    echo "SWIFT_KEYSTONE_STORAGE_PORT=$kpport"
    echo "SWIFT_KEYSTONE_USER=demo"
    echo "SWIFT_KEYSTONE_PASSWORD=demopass"
    echo "SWIFT_KEYSTONE_PROJECT=demo"
    echo "SWIFT_KEYSTONE_DOMAIN=default"
  } | tee "$DIR/keystone-env"
}

cmd_stop() {
  local dir=$1
  [[ -d "$dir" ]] || die "no such directory: $dir"
  dir=$(cd "$dir" && pwd)
  local f pid name pids=()
  for f in "$dir"/run/*.pid; do
    [[ -e "$f" ]] || continue
    read -r pid _ <"$f"; name=$(basename "$f" .pid)
    if pid_file_alive "$f" && kill -TERM "$pid" 2>/dev/null; then
      pids+=("$pid"); echo "stopping $name (pid $pid)"
    fi
  done
  local alive
  for _ in $(seq 1 100); do
    alive=()
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive+=("$pid"); done
    pids=("${alive[@]}")
    (( ${#pids[@]} == 0 )) && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do
    echo "pid $pid still alive after 10 s, sending SIGKILL"; kill -KILL "$pid" 2>/dev/null || true
  done
  rm -f "$dir"/run/*.pid
}

cmd_status() {
  local dir; dir=$(cd "$1" && pwd) || exit 1
  local f rc=0 n=0
  for f in "$dir"/run/*.pid; do
    [[ -e "$f" ]] || continue
    n=$((n + 1))
    if pid_file_alive "$f"; then echo "$(basename "$f" .pid) running (pid $(cut -d' ' -f1 "$f"))"
    else echo "$(basename "$f" .pid) NOT running"; rc=1; fi
  done
  (( n > 0 )) || { echo "nothing recorded in $dir/run"; return 3; }
  return $rc
}

case "${1:-}" in
  start) [[ $# -eq 3 ]] || die "usage: $0 start DIR PORT"; cmd_start "$2" "$3" ;;
  keystone) [[ $# -eq 2 ]] || die "usage: $0 keystone DIR"; cmd_keystone "$2" ;;
  stop) [[ $# -eq 2 ]] || die "usage: $0 stop DIR"; cmd_stop "$2" ;;
  status) [[ $# -eq 2 ]] || die "usage: $0 status DIR"; cmd_status "$2" ;;
  *) die "usage: $0 start DIR PORT | keystone DIR | stop DIR | status DIR" ;;
esac
