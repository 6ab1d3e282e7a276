# Shared helpers for tools/test, tools/demo and tools/bench (sourced).

# A TCP port on 127.0.0.1 that nothing listens on, below the kernel's
# ephemeral range (32768 and up), so that no outgoing connection holds it.
free_port() {
  local port
  for _ in $(seq 1 100); do
    port=$(( (RANDOM % 17000) + 15000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  echo "no free port found" >&2
  return 1
}

# start_redis DIR PORT [extra redis-server args...]: starts a private Redis,
# waits (bounded) until it answers; sets REDIS_PID.
start_redis() {
  local dir="$1" port="$2"
  shift 2
  mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --daemonize no --save "" "$@" \
    > "$dir/redis.log" 2>&1 &
  REDIS_PID=$!
  # PONG, not just an answer: while it loads a kept AOF (tools/demo's, run
  # again) Redis answers LOADING, and the import would fail on that.
  for _ in $(seq 1 600); do
    [ "$(redis-cli -p "$port" ping 2>/dev/null)" = "PONG" ] && return 0
    sleep 0.1
  done
  echo "redis-server did not start on port $port; see $dir/redis.log" >&2
  return 1
}

# Stops a process we started, by its PID, and waits for it.
stop_pid() {
  local pid="$1"
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
}

# configure_build DIR [cmake args...]: configures once, builds with both cores.
build() {
  local dir="$1"
  shift
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    cmake -S . -B "$dir" "$@" >/dev/null
  fi
  cmake --build "$dir" -j "$(nproc)" >&2
}

export CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
