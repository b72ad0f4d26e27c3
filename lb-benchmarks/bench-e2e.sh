#!/usr/bin/env bash
# End-to-end loopback benchmark (issue 7, part 3): plain OkHttp to one backend, OkHttp + LoadBalancingInterceptor
# over three backends, and OkHttp through a real nginx reverse proxy (upstream round robin) to the same three backends,
# measured in alternating rounds by io.github.lb4j.benchmarks.OkHttpInterceptorLoad.
#
# Everything listens on 127.0.0.1 and stops by itself: nginx runs in the foreground (daemon off) as a child of this
# script, from a config written to a temp dir, and is stopped when the script exits. The system's nginx service is
# never started or enabled.
#
# Usage: lb-benchmarks/bench-e2e.sh [driver options...]
#   e.g. lb-benchmarks/bench-e2e.sh --seconds 2 --rounds 10 --threads 4
# Environment:
#   BACKENDS=nginx  backends are nginx `return 200` locations (default), or
#   BACKENDS=jdk    backends are the driver's own JDK HttpServers (in the client's JVM)
#   NGINX_WORKERS=auto   nginx worker_processes
#   SKIP_BUILD=1    use the existing lb-benchmarks/target/benchmarks.jar
#   JAVA=java       the JVM to run the driver with
set -euo pipefail
cd "$(dirname "$0")/.."

BACKENDS="${BACKENDS:-nginx}"
NGINX_WORKERS="${NGINX_WORKERS:-auto}"
JAVA="${JAVA:-java}"
JAR=lb-benchmarks/target/benchmarks.jar
case "$BACKENDS" in nginx|jdk) ;; *) echo "BACKENDS must be nginx or jdk, got '$BACKENDS'" >&2; exit 2 ;; esac

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

find_nginx() {
  command -v nginx 2>/dev/null || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true
}

NGINX="$(find_nginx)"
if [ -z "$NGINX" ]; then
  echo "nginx is missing: installing it with apt-get (the system service is neither started nor enabled)"
  # Debian starts a freshly installed service unless policy-rc.d says no (exit 101): say no for this install.
  made_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
    as_root chmod 755 /usr/sbin/policy-rc.d
    made_policy=1
  fi
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y nginx
  if [ -n "$made_policy" ]; then as_root rm -f /usr/sbin/policy-rc.d; fi
  # Should the package have started or enabled the service anyway, undo it.
  if command -v systemctl >/dev/null 2>&1; then as_root systemctl disable nginx >/dev/null 2>&1 || true; fi
  if command -v update-rc.d >/dev/null 2>&1; then as_root update-rc.d nginx disable >/dev/null 2>&1 || true; fi
  if [ -s /run/nginx.pid ] && kill -0 "$(cat /run/nginx.pid)" 2>/dev/null; then
    echo "stopping the nginx service that the package started"
    as_root kill -QUIT "$(cat /run/nginx.pid)" || true
  fi
  NGINX="$(find_nginx)"
  [ -n "$NGINX" ] || { echo "nginx still missing after apt-get install" >&2; exit 1; }
fi

if [ -z "${SKIP_BUILD:-}" ] || [ ! -s "$JAR" ]; then
  mvn -B -q -pl lb-benchmarks -am package -DskipTests
fi

# Four free loopback ports: three backends and the proxy.
read -r P1 P2 P3 PROXY <<<"$("$JAVA" -cp "$JAR" io.github.lb4j.benchmarks.OkHttpInterceptorLoad --free-ports 4)"

DIR="$(mktemp -d -t lb4j-nginx.XXXXXX)"
NGINX_PID=""
cleanup() {
  if [ -n "$NGINX_PID" ] && kill -0 "$NGINX_PID" 2>/dev/null; then
    kill -QUIT "$NGINX_PID" 2>/dev/null || true   # graceful stop of master and workers
    for _ in $(seq 50); do kill -0 "$NGINX_PID" 2>/dev/null || break; sleep 0.1; done
    kill -TERM "$NGINX_PID" 2>/dev/null || true
    wait "$NGINX_PID" 2>/dev/null || true
  fi
  rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

backend_servers=""
if [ "$BACKENDS" = nginx ]; then
  for p in "$P1" "$P2" "$P3"; do
    backend_servers+="
    server {
        listen 127.0.0.1:$p;
        location / { return 200 \"ok\"; }
    }"
  done
fi

mkdir -p "$DIR/tmp"
cat >"$DIR/nginx.conf" <<EOF
# Written by lb-benchmarks/bench-e2e.sh; a proxy tuned as one would in production: kept-alive upstream
# connections, no access log, no request or response buffering to disk.
daemon off;
master_process on;
worker_processes $NGINX_WORKERS;
pid $DIR/nginx.pid;
error_log $DIR/error.log warn;
events {
    worker_connections 4096;
}
http {
    access_log off;
    default_type text/plain;
    client_body_temp_path $DIR/tmp/client;
    proxy_temp_path $DIR/tmp/proxy;
    fastcgi_temp_path $DIR/tmp/fastcgi;
    uwsgi_temp_path $DIR/tmp/uwsgi;
    scgi_temp_path $DIR/tmp/scgi;
    keepalive_timeout 120s;
    keepalive_requests 10000000;

    upstream backends {
        # round robin (nginx's default) over the same three backends the interceptor balances
        server 127.0.0.1:$P1;
        server 127.0.0.1:$P2;
        server 127.0.0.1:$P3;
        keepalive 64;
        keepalive_requests 10000000;
        keepalive_timeout 120s;
    }
    server {
        listen 127.0.0.1:$PROXY;
        location / {
            proxy_pass http://backends;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }$backend_servers
}
EOF

"$NGINX" -t -q -p "$DIR" -c "$DIR/nginx.conf" -e "$DIR/error.log"
"$NGINX" -p "$DIR" -c "$DIR/nginx.conf" -e "$DIR/error.log" &
NGINX_PID=$!
for _ in $(seq 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$PROXY") 2>/dev/null; then break; fi
  kill -0 "$NGINX_PID" 2>/dev/null || { cat "$DIR/error.log" >&2; echo "nginx did not start" >&2; exit 1; }
  sleep 0.1
done
echo "nginx $("$NGINX" -v 2>&1 | sed 's/.*nginx\///') (pid $NGINX_PID, $NGINX_WORKERS workers) proxying 127.0.0.1:$PROXY" \
  "to 127.0.0.1:$P1,$P2,$P3 ($BACKENDS backends)"

driver_args=(--backend-ports "$P1,$P2,$P3" --nginx-port "$PROXY")
if [ "$BACKENDS" = jdk ]; then driver_args+=(--serve-backends); fi
status=0
"$JAVA" -Xms512m -Xmx512m -Dsun.net.httpserver.nodelay=true -cp "$JAR" \
  io.github.lb4j.benchmarks.OkHttpInterceptorLoad "${driver_args[@]}" "$@" || status=$?
if [ -s "$DIR/error.log" ]; then
  echo "nginx error log:"; tail -n 20 "$DIR/error.log"
fi
exit "$status"
