#!/usr/bin/env bash
# A real ClickHouse 26.7 for tests, demos and development: the chDB engine (libchdb.so from the npm
# package @chdb/lib-linux-x64-gnu) run as a local server by tools/clickhouse/chlauncher.c.
#
#   build/clickhouse.sh fetch                   download libchdb.so and build the launcher (cached)
#   build/clickhouse.sh start [--owner-pid N]   start (or confirm) the server; with --owner-pid it exits
#                                               within seconds after process N is gone
#   build/clickhouse.sh stop                    stop it (idempotent)
#   build/clickhouse.sh status                  exit 0 running, 3 stopped, 1 alive but not answering
#   build/clickhouse.sh url | env               print the HTTP URL | the path of the dotenv file
#   build/clickhouse.sh query "<sql>" [--user admin|writer|reader]   run SQL over HTTP as that user (default
#                                               admin; "-" reads the SQL from stdin); qualify tables: qtickets.x
#
# Environment: QTICKETS_CACHE_DIR (default ~/.cache/qtickets), QTICKETS_CH_DIR (default <repo>/out/clickhouse),
# QTICKETS_CH_HTTP_PORT (18123), QTICKETS_CH_TCP_PORT (19000), QTICKETS_CH_START_TIMEOUT (30 s).
# A second, independent instance (e.g. for a test) needs only its own QTICKETS_CH_DIR and both ports: the pid
# file, env file (passwords), config, data and logs all live under QTICKETS_CH_DIR, and stop/status find the
# launcher by its --path=<dir>/data, so neither instance sees the other.
# QTICKETS_CH_GRANTS_FILE (optional, read on start): lines 'writer|GRANT ...' and 'reader|GRANT ...' ('#' starts
# a comment) become the only <grants> of etl_writer and qtickets_reader, instead of the default broad ones
# (writer SELECT, INSERT on qtickets.* and qtickets_demo.*; reader SELECT on both with a readonly profile). A trailing
# 'TO <user>' is dropped, so Initialize-QTicketsClickHouse -Grants -WhatIf statements can be used as they are.
# The reader then gets the default profile: its grants alone must keep it from writing, as on a real server.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)

CHDB_PACKAGE=@chdb/lib-linux-x64-gnu
CHDB_VERSION=26.7.3-stable.1
CACHE_DIR=${QTICKETS_CACHE_DIR:-${HOME:?HOME is not set}/.cache/qtickets}/chdb-$CHDB_VERSION
LIB=$CACHE_DIR/libchdb.so
LAUNCHER=$CACHE_DIR/chlauncher
LAUNCHER_SRC=$REPO_ROOT/tools/clickhouse/chlauncher.c

CH_DIR=${QTICKETS_CH_DIR:-$REPO_ROOT/out/clickhouse}
DATA_DIR=$CH_DIR/data
CONF_DIR=$CH_DIR/config
LOG_DIR=$CH_DIR/log
PID_FILE=$CH_DIR/clickhouse.pid
ENV_FILE=$CH_DIR/clickhouse.env
HOST=127.0.0.1
DB=qtickets
DEMO_DB=qtickets_demo
ADMIN_USER=qtickets_admin
WRITER_USER=etl_writer
READER_USER=qtickets_reader
START_TIMEOUT=${QTICKETS_CH_START_TIMEOUT:-30}
GRANTS_FILE=${QTICKETS_CH_GRANTS_FILE:-}
# The keep-alive that holds the listeners open; it never ends by itself (system.numbers is infinite).
# 'default' logs in with this as its current database; the launcher's first query detaches it, after which
# every other login as 'default' fails (its default database is gone). DETACH keeps the metadata file, so
# each engine start (and restart) finds it attached again.
GATE_DB=_launcher_gate
KEEPALIVE_SQL='SELECT sleepEachRow(1) FROM system.numbers SETTINGS max_block_size = 1 FORMAT Null'

say() { printf 'clickhouse: %s\n' "$*"; }
die() { printf 'clickhouse: error: %s\n' "$*" >&2; exit 1; }
need() { # need <command> <what provides it>
    command -v "$1" >/dev/null 2>&1 || die "'$1' is required but not installed ($2)"
}

# Ports: explicit environment first, then what the last start recorded, then the defaults.
env_value() { # env_value KEY -> value from the env file, empty if absent
    [[ -r $ENV_FILE ]] || return 0
    sed -n "s/^$1=//p" "$ENV_FILE" | tail -n 1
}
HTTP_PORT=${QTICKETS_CH_HTTP_PORT:-}
TCP_PORT=${QTICKETS_CH_TCP_PORT:-}
resolve_ports() { # $1 = start: ignore recorded ports
    if [[ -z $HTTP_PORT ]]; then
        [[ ${1:-} == start ]] || HTTP_PORT=$(env_value CLICKHOUSE_PORT)
        HTTP_PORT=${HTTP_PORT:-18123}
    fi
    if [[ -z $TCP_PORT ]]; then
        [[ ${1:-} == start ]] || TCP_PORT=$(env_value CLICKHOUSE_TCP_PORT)
        TCP_PORT=${TCP_PORT:-19000}
    fi
}
url() { printf 'http://%s:%s' "$HOST" "$HTTP_PORT"; }

# ---------------------------------------------------------------- fetch

lib_ok() { # the extracted library is complete: its size matches the one recorded from the tarball
    [[ -f $LIB && -f $CACHE_DIR/libchdb.so.size ]] &&
        [[ $(stat -c %s "$LIB") == "$(cat "$CACHE_DIR/libchdb.so.size")" ]]
}

cmd_fetch() {
    mkdir -p "$CACHE_DIR"
    if lib_ok; then
        say "libchdb.so $CHDB_VERSION cached in $CACHE_DIR"
    else
        need npm "Node.js/npm: apt-get install npm"
        need tar "apt-get install tar"
        local tmp t0 tgz size
        tmp=$(mktemp -d "$CACHE_DIR/fetch.XXXXXX")
        trap 'rm -rf "$tmp"' EXIT
        t0=$SECONDS
        say "fetching $CHDB_PACKAGE@$CHDB_VERSION (~178 MB) with npm pack"
        (cd "$tmp" && npm pack --silent "$CHDB_PACKAGE@$CHDB_VERSION" >/dev/null) ||
            die "npm pack $CHDB_PACKAGE@$CHDB_VERSION failed (is the npm registry reachable?)"
        tgz=$(find "$tmp" -maxdepth 1 -name '*.tgz' | head -n 1)
        [[ -n $tgz ]] || die "npm pack produced no tarball"
        say "extracting package/libchdb.so"
        # One pass: extract and list; the listing gives the size recorded in the tarball, and tar/gzip fail
        # on a truncated stream.
        size=$(tar -xvvzf "$tgz" -C "$tmp" package/libchdb.so | awk '$NF == "package/libchdb.so" {print $3}') ||
            die "$tgz is damaged or lacks package/libchdb.so"
        [[ -n $size && -f $tmp/package/libchdb.so && $(stat -c %s "$tmp/package/libchdb.so") == "$size" ]] ||
            die "libchdb.so extracted incompletely"
        rm -f "$CACHE_DIR/libchdb.so.size"
        mv -f "$tmp/package/libchdb.so" "$LIB"
        printf '%s\n' "$size" >"$CACHE_DIR/libchdb.so.size"
        rm -rf "$tmp"
        trap - EXIT
        say "libchdb.so $CHDB_VERSION ready in $CACHE_DIR ($((SECONDS - t0)) s)"
    fi
    if [[ ! -x $LAUNCHER || $LAUNCHER_SRC -nt $LAUNCHER ]]; then
        need cc "a C compiler: apt-get install gcc"
        say "compiling $LAUNCHER"
        cc -O2 -Wall -o "$LAUNCHER.tmp" "$LAUNCHER_SRC" -ldl -lpthread || die "compiling chlauncher failed"
        mv -f "$LAUNCHER.tmp" "$LAUNCHER"
    else
        say "launcher up to date: $LAUNCHER"
    fi
}

# ---------------------------------------------------------------- process helpers

is_our_launcher() { # is_our_launcher PID: a live chlauncher serving our data dir
    local pid=$1 cmdline
    [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
    # the supervisor, not its engine child (same command line, comm chlauncher-eng)
    [[ $(cat "/proc/$pid/comm" 2>/dev/null) == chlauncher ]] || return 1
    cmdline=$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
    grep -qx -- "--path=$DATA_DIR" <<<"$cmdline" && grep -q 'chlauncher$' <<<"$(head -n 1 <<<"$cmdline")"
}

server_pid() { # prints the pid of our running launcher, from the pid file or, failing that, from /proc
    local pid p
    if [[ -r $PID_FILE ]]; then
        pid=$(cat "$PID_FILE" 2>/dev/null || true)
        if is_our_launcher "$pid"; then printf '%s\n' "$pid"; return 0; fi
    fi
    for p in $(grep -lzx -- "--path=$DATA_DIR" /proc/[0-9]*/cmdline 2>/dev/null || true); do
        pid=${p#/proc/}
        pid=${pid%/cmdline}
        if is_our_launcher "$pid"; then printf '%s\n' "$pid"; return 0; fi
    done
    return 1
}

ping_ok() { curl -fsS --max-time 2 "$(url)/ping" >/dev/null 2>&1; }
port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# ---------------------------------------------------------------- configuration

new_password() { od -An -tx1 -N16 /dev/urandom | tr -d ' \n'; }
sha256() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }

write_env_file() {
    local admin_pw writer_pw reader_pw
    admin_pw=$(env_value QTICKETS_CH_ADMIN_PASSWORD)
    writer_pw=$(env_value CLICKHOUSE_PASSWORD)
    reader_pw=$(env_value QTICKETS_CH_READER_PASSWORD)
    if [[ -z $admin_pw || -z $writer_pw || -z $reader_pw ]]; then
        say "generating passwords into $ENV_FILE"
        admin_pw=$(new_password) writer_pw=$(new_password) reader_pw=$(new_password)
    fi
    (
        umask 077
        cat >"$ENV_FILE.tmp" <<EOF
# Local ClickHouse 26.7 started by build/clickhouse.sh; generated, keep private (0600).
CLICKHOUSE_HOST=$HOST
CLICKHOUSE_PORT=$HTTP_PORT
CLICKHOUSE_TCP_PORT=$TCP_PORT
CLICKHOUSE_DB=$DB
CLICKHOUSE_USER=$WRITER_USER
CLICKHOUSE_PASSWORD=$writer_pw
QTICKETS_CH_ADMIN_USER=$ADMIN_USER
QTICKETS_CH_ADMIN_PASSWORD=$admin_pw
QTICKETS_CH_READER_USER=$READER_USER
QTICKETS_CH_READER_PASSWORD=$reader_pw
EOF
    )
    chmod 600 "$ENV_FILE.tmp"
    mv -f "$ENV_FILE.tmp" "$ENV_FILE"
}

# ---------------------------------------------------------------- grants (QTICKETS_CH_GRANTS_FILE)

xml_escape() { local s=${1//&/&amp;}; s=${s//</&lt;}; printf '%s' "${s//>/&gt;}"; }

grant_queries() { # grant_queries writer|reader: the <query> lines for that user, from GRANTS_FILE or the defaults
    local who=$1 line role sql n=0
    if [[ -z $GRANTS_FILE ]]; then
        case $who in
            # qtickets_demo: the database of ./build.sh demo (scripts/demo.sh), loaded as the writer.
            writer) printf '                <query>GRANT SELECT, INSERT, ALTER DELETE ON %s.*</query>\n' "$DB" "$DEMO_DB" ;;
            reader) printf '                <query>GRANT SELECT ON %s.*</query>\n' "$DB" "$DEMO_DB" ;;
        esac
        return 0
    fi
    while IFS= read -r line || [[ -n $line ]]; do
        line=${line%$'\r'}
        [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
        [[ $line == *'|'* ]] || die "$GRANTS_FILE: '$line' is not 'writer|GRANT ...' or 'reader|GRANT ...'"
        role=${line%%|*} sql=${line#*|}
        role=${role//[[:space:]]/}
        [[ $role == writer || $role == reader ]] || die "$GRANTS_FILE: unknown role '$role' (writer or reader)"
        [[ $role == "$who" ]] || continue
        # users.xml grants name no grantee: drop a trailing 'TO user' (what the store generates).
        sql=$(sed -E 's/[[:space:]]+TO[[:space:]]+[`"]?[A-Za-z0-9_]+[`"]?[[:space:]]*;?[[:space:]]*$//I; s/[[:space:]]*;[[:space:]]*$//' <<<"$sql")
        [[ $sql =~ ^[[:space:]]*[Gg][Rr][Aa][Nn][Tt][[:space:]] ]] || die "$GRANTS_FILE: '$sql' is not a GRANT statement"
        printf '                <query>%s</query>\n' "$(xml_escape "$sql")"
        n=$((n + 1))
    done <"$GRANTS_FILE"
    ((n > 0)) || say "warning: $GRANTS_FILE has no $who grants: $who can do nothing" >&2
}

write_config() {
    local admin_h writer_h reader_h nets writer_grants reader_grants reader_profile=readonly
    if [[ -n $GRANTS_FILE ]]; then
        [[ -r $GRANTS_FILE ]] || die "QTICKETS_CH_GRANTS_FILE=$GRANTS_FILE is not readable"
        reader_profile=default
    fi
    writer_grants=$(grant_queries writer) || exit 1
    reader_grants=$(grant_queries reader) || exit 1
    admin_h=$(sha256 "$(env_value QTICKETS_CH_ADMIN_PASSWORD)")
    writer_h=$(sha256 "$(env_value CLICKHOUSE_PASSWORD)")
    reader_h=$(sha256 "$(env_value QTICKETS_CH_READER_PASSWORD)")
    nets='<networks><ip>127.0.0.1</ip><ip>::1</ip></networks>'
    (
        umask 077
        cat >"$CONF_DIR/config.xml" <<EOF
<!-- Generated by build/clickhouse.sh on every start; edit the script, not this file. -->
<clickhouse>
    <logger>
        <level>information</level>
        <log>$LOG_DIR/clickhouse.log</log>
        <errorlog>$LOG_DIR/clickhouse.err.log</errorlog>
        <size>50M</size>
        <count>3</count>
        <console>0</console>
    </logger>
    <users_config>$CONF_DIR/users.xml</users_config>
</clickhouse>
EOF
        # clickhouse-local (what chDB runs) reads users only from this file: SQL-driven access
        # management (user_directories/local_directory) is not set up by it, so CREATE USER and GRANT
        # fail; privileges are given here with <grants>.
        cat >"$CONF_DIR/users.xml" <<EOF
<!-- Generated by build/clickhouse.sh on every start from the passwords in $ENV_FILE. -->
<clickhouse>
    <profiles>
        <default/>
        <readonly><readonly>1</readonly></readonly>
        <launcher>
            <max_block_size>1</max_block_size>
            <constraints><max_block_size><readonly/></max_block_size></constraints>
        </launcher>
    </profiles>
    <quotas>
        <default/>
        <!-- The in-process session of the launcher runs exactly 4 queries (DETACH of the gate database,
             START LISTEN HTTP, START LISTEN TCP, the keep-alive); a second line of defence. -->
        <launcher><interval><duration>315360000</duration><queries>4</queries></interval></launcher>
    </quotas>
    <users>
        <!-- chDB's embedded session always logs in as 'default' with an empty password from 127.0.0.1
             (hard-coded), so 'default' must exist without a password. Over HTTP/TCP it is refused: its
             default database is detached by the launcher's first query, and logins then fail. -->
        <default>
            <no_password/>
            <networks><ip>127.0.0.1</ip></networks>
            <profile>launcher</profile>
            <quota>launcher</quota>
            <default_database>$GATE_DB</default_database>
            <grants>
                <query>GRANT SYSTEM LISTEN ON *.*</query>
                <query>GRANT SELECT ON system.numbers</query>
                <query>GRANT DROP DATABASE ON $GATE_DB.*</query>
            </grants>
        </default>
        <$ADMIN_USER>
            <password_sha256_hex>$admin_h</password_sha256_hex>
            $nets
            <profile>default</profile>
            <quota>default</quota>
            <access_management>1</access_management>
            <named_collection_control>1</named_collection_control>
            <show_named_collections>1</show_named_collections>
            <show_named_collections_secrets>1</show_named_collections_secrets>
        </$ADMIN_USER>
        <$WRITER_USER>
            <password_sha256_hex>$writer_h</password_sha256_hex>
            $nets
            <profile>default</profile>
            <quota>default</quota>
            <grants>
$writer_grants
            </grants>
        </$WRITER_USER>
        <$READER_USER>
            <password_sha256_hex>$reader_h</password_sha256_hex>
            $nets
            <profile>$reader_profile</profile>
            <quota>default</quota>
            <grants>
$reader_grants
            </grants>
        </$READER_USER>
    </users>
</clickhouse>
EOF
    )
}

# ---------------------------------------------------------------- query

http_query() { # http_query <user> <password> <sql> [extra curl args...]: prints the body, fails on HTTP errors
    local user=$1 password=$2 sql=$3
    shift 3
    curl -sS --fail-with-body --max-time "${QTICKETS_CH_QUERY_TIMEOUT:-300}" \
        -K <(printf 'user = "%s:%s"\n' "$user" "$password") \
        --data-binary "$sql" "$@" "$(url)/"
}

cmd_query() {
    local sql="" who=admin user password
    while [[ $# -gt 0 ]]; do
        case $1 in
            --user) [[ $# -ge 2 ]] || die "--user needs admin, writer or reader"; who=$2; shift 2 ;;
            --user=*) who=${1#--user=}; shift ;;
            *) [[ -z $sql ]] || die "query takes one SQL argument (quote it)"; sql=$1; shift ;;
        esac
    done
    [[ -n $sql ]] || die 'usage: build/clickhouse.sh query "<sql>" [--user admin|writer|reader]  ("-" reads SQL from stdin)'
    [[ $sql == - ]] && sql=$(cat)
    need curl "apt-get install curl"
    [[ -r $ENV_FILE ]] || die "no $ENV_FILE: run 'build/clickhouse.sh start' first"
    resolve_ports
    case $who in
        admin | $ADMIN_USER) user=$ADMIN_USER password=$(env_value QTICKETS_CH_ADMIN_PASSWORD) ;;
        writer | $WRITER_USER) user=$WRITER_USER password=$(env_value CLICKHOUSE_PASSWORD) ;;
        reader | $READER_USER) user=$READER_USER password=$(env_value QTICKETS_CH_READER_PASSWORD) ;;
        *) die "unknown user '$who' (admin, writer or reader)" ;;
    esac
    http_query "$user" "$password" "$sql"
}

# ---------------------------------------------------------------- start / stop / status

print_started() {
    say "ClickHouse 26.7 at $(url) (db $DB; users $WRITER_USER, $READER_USER, $ADMIN_USER; env $ENV_FILE)"
}

log_tail() {
    local f
    for f in "$LOG_DIR/launcher.log" "$LOG_DIR/clickhouse.err.log"; do
        [[ -s $f ]] || continue
        printf -- '--- last lines of %s\n' "$f" >&2
        tail -n 25 "$f" >&2
    done
}

wait_ready() { # wait_ready PID: until HTTP /ping and the TCP port answer; fails if the process dies
    local pid=$1 deadline=$((SECONDS + START_TIMEOUT))
    while ((SECONDS < deadline)); do
        kill -0 "$pid" 2>/dev/null || { printf 'clickhouse: error: the server exited during start\n' >&2; log_tail; return 1; }
        if ping_ok && port_open "$TCP_PORT"; then return 0; fi
        sleep 0.1
    done
    printf 'clickhouse: error: no answer on %s/ping within %s s\n' "$(url)" "$START_TIMEOUT" >&2
    log_tail
    return 1
}

cmd_start() {
    local owner="" pid t0
    while [[ $# -gt 0 ]]; do
        case $1 in
            --owner-pid) [[ $# -ge 2 ]] || die "--owner-pid needs a PID"; owner=$2; shift 2 ;;
            --owner-pid=*) owner=${1#--owner-pid=}; shift ;;
            *) die "start: unknown option $1" ;;
        esac
    done
    if [[ -n $owner ]]; then
        [[ $owner =~ ^[0-9]+$ ]] && kill -0 "$owner" 2>/dev/null || die "--owner-pid $owner: no such process"
    fi
    need curl "apt-get install curl"
    need sha256sum "apt-get install coreutils"

    if pid=$(server_pid); then
        resolve_ports
        if ping_ok || wait_ready "$pid"; then
            [[ -z $owner ]] || say "already running (pid $pid); --owner-pid $owner not applied to it"
            print_started
            return 0
        fi
        die "pid $pid serves $DATA_DIR but does not answer on $(url); run 'build/clickhouse.sh stop' first"
    fi
    rm -f "$PID_FILE"
    resolve_ports start
    [[ $HTTP_PORT =~ ^[0-9]+$ && $TCP_PORT =~ ^[0-9]+$ && $HTTP_PORT != "$TCP_PORT" ]] ||
        die "bad ports: HTTP '$HTTP_PORT', TCP '$TCP_PORT'"
    port_open "$HTTP_PORT" && die "port $HTTP_PORT (HTTP) is already in use by another process; set QTICKETS_CH_HTTP_PORT"
    port_open "$TCP_PORT" && die "port $TCP_PORT (TCP) is already in use by another process; set QTICKETS_CH_TCP_PORT"

    cmd_fetch
    mkdir -p "$DATA_DIR" "$CONF_DIR" "$LOG_DIR"
    chmod 700 "$CH_DIR" "$CONF_DIR"
    write_env_file
    write_config
    mkdir -p "$DATA_DIR/metadata"
    printf 'ATTACH DATABASE %s\nENGINE = Memory\n' "$GATE_DB" >"$DATA_DIR/metadata/$GATE_DB.sql"
    printf '\n=== %s start (http %s, tcp %s, owner %s)\n' "$(date '+%F %T')" "$HTTP_PORT" "$TCP_PORT" "${owner:-none}" \
        >>"$LOG_DIR/launcher.log"

    say "starting ClickHouse (data $DATA_DIR)"
    t0=$(date +%s%N)
    # A simple command, so that $! is the launcher itself (not a subshell).
    "$LAUNCHER" --lib "$LIB" --owner-pid "${owner:-0}" -- \
        --config-file="$CONF_DIR/config.xml" --path="$DATA_DIR" \
        --listen_host="$HOST" --http_port="$HTTP_PORT" --tcp_port="$TCP_PORT" \
        --log-level=information --multiquery --query="DETACH DATABASE $GATE_DB; SYSTEM START LISTEN HTTP; SYSTEM START LISTEN TCP; $KEEPALIVE_SQL" \
        </dev/null >>"$LOG_DIR/launcher.log" 2>&1 &
    pid=$!
    printf '%s\n' "$pid" >"$PID_FILE"
    if ! wait_ready "$pid"; then
        kill -KILL "$pid" 2>/dev/null || true
        rm -f "$PID_FILE"
        exit 1
    fi
    http_query "$ADMIN_USER" "$(env_value QTICKETS_CH_ADMIN_PASSWORD)" "CREATE DATABASE IF NOT EXISTS $DB" >/dev/null ||
        die "could not create database $DB as $ADMIN_USER (see $LOG_DIR)"
    say "up in $((($(date +%s%N) - t0) / 1000000)) ms (pid $pid, tcp $TCP_PORT${owner:+, exits when pid $owner is gone})"
    print_started
}

cmd_stop() {
    local pid i t0
    if ! pid=$(server_pid); then
        rm -f "$PID_FILE"
        say "not running"
        return 0
    fi
    t0=$(date +%s%N)
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        say "pid $pid still running 10 s after SIGTERM; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$PID_FILE"
    say "stopped (pid $pid, $((($(date +%s%N) - t0) / 1000000)) ms)"
}

cmd_status() {
    local pid
    resolve_ports
    if pid=$(server_pid); then
        if ping_ok; then
            say "running at $(url) (pid $pid, tcp $TCP_PORT, data $DATA_DIR)"
            return 0
        fi
        say "pid $pid is alive but $(url)/ping does not answer"
        return 1
    fi
    say "stopped ($(url) when started; data $DATA_DIR)"
    return 3
}

usage() {
    cat <<'EOF'
usage: build/clickhouse.sh fetch|start [--owner-pid N]|stop|status|url|env|query "<sql>" [--user admin|writer|reader]
EOF
}

main() {
    local cmd=${1:-}
    [[ $# -gt 0 ]] && shift
    case $cmd in
        fetch) cmd_fetch ;;
        start) cmd_start "$@" ;;
        stop) cmd_stop ;;
        status) cmd_status ;;
        url) resolve_ports; url; echo ;;
        env)
            printf '%s\n' "$ENV_FILE"
            [[ -r $ENV_FILE ]] || { printf 'clickhouse: %s does not exist yet (run start)\n' "$ENV_FILE" >&2; return 1; }
            ;;
        query) cmd_query "$@" ;;
        -h | --help | help) usage ;;
        *) usage >&2; exit 2 ;;
    esac
}

main "$@"
