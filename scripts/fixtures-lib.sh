# Shared helpers for the fixture scripts: Flink release lines, Maven build of test/flink, the JVM command line.
# Sourced, not executed.

FIXTURES_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FLINK_BENCH="$FIXTURES_REPO/test/flink"

# The latest patch of each release line on Maven Central (checked against maven-metadata.xml of flink-runtime).
FLINK_LINES=(1.15 1.16 1.17 1.18 1.19 1.20 2.0 2.1 2.2)

flink_version_of() {
  case "$1" in
    1.15|1.15.*) echo 1.15.4 ;;
    1.16|1.16.*) echo 1.16.3 ;;
    1.17|1.17.*) echo 1.17.2 ;;
    1.18|1.18.*) echo 1.18.1 ;;
    1.19|1.19.*) echo 1.19.3 ;;
    1.20|1.20.*) echo 1.20.5 ;;
    2.0|2.0.*) echo 2.0.2 ;;
    2.1|2.1.*) echo 2.1.3 ;;
    2.2|2.2.*) echo 2.2.1 ;;
    2.3|2.3.*) echo 2.3.0 ;;
    *) echo "unknown Flink line '$1' (known: ${FLINK_LINES[*]})" >&2; return 2 ;;
  esac
}

# flink-dstl-dfs (file-based changelog storage) is missing on Maven Central for three patch releases: 1.15.4 uses
# 1.15.2's (the _metadata writer is flink-runtime, always the line's own); 1.16.3 and 1.17.2 have no usable one (the
# 1.16.0/1.17.0 jars' parent POMs are not published), so they get only the in-memory changelog scenario.
flink_dstl_version() {
  case "$1" in 1.15.4) echo 1.15.2 ;; 1.16.3|1.17.2) echo none ;; *) echo "$1" ;; esac
}

# Extra sources compiled for a version: the synthetic-metadata writers exist for one V4 line and the newest line.
flink_line_src() {
  case "$1" in 1.20.5) echo synthetic-v4 ;; 2.2.1) echo synthetic-v6 ;; *) echo none ;; esac
}

# Builds test/flink for one Flink version (Maven's downloads are cached in ~/.m2) and prints the classpath.
flink_build() {
  local version="$1" extra=()
  local dstl
  dstl="$(flink_dstl_version "$version")"
  if [ "$dstl" = none ]; then extra+=(-Dflink.nodstl); else extra+=(-Ddstl.version="$dstl"); fi
  local log
  log="$(mktemp)"
  local line_src
  line_src="$(flink_line_src "$version")"
  [ "$line_src" = none ] || extra+=(-Dflink.synthetic.src=synthetic)
  if ! (cd "$FLINK_BENCH" && mvn -B -q -Dstyle.color=never -Dflink.version="$version" \
          -Dflink.line.src="$line_src" "${extra[@]}" compile) >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "fixtures: building test/flink for Flink $version failed (output above)" >&2
    return 1
  fi
  rm -f "$log"
  echo "$FLINK_BENCH/target/$version/classes:$(cat "$FLINK_BENCH/target/$version/classpath.txt")"
}

# Builds one variant of test/flink (a profile with its own sources, e.g. -Dflink.zoo into target/<version>-zoo) and
# prints its classpath:  flink_build_variant <version> <suffix> <maven -D arguments...>
flink_build_variant() {
  local version="$1" suffix="$2"
  shift 2
  local log
  log="$(mktemp)"
  if ! (cd "$FLINK_BENCH" && mvn -B -q -Dstyle.color=never -Dflink.version="$version" "$@" compile) >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "fixtures: building test/flink ($suffix) for Flink $version failed (output above)" >&2
    return 1
  fi
  rm -f "$log"
  echo "$FLINK_BENCH/target/$version-$suffix/classes:$(cat "$FLINK_BENCH/target/$version-$suffix/classpath.txt")"
}

# The module opens an in-JVM MiniCluster needs on Java 17 (the list Flink's own launch scripts use).
FLINK_JAVA_OPTS=(
  -Xmx2g -XX:+UseSerialGC -Djava.net.preferIPv4Stack=true
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
)
