# bench/lib.sh: what bench/run.sh, bench/paired.sh and bench/bridges.sh share. Sourced from the
# repository's root, not run.
#
# $tmp is a temporary folder, and $pids the servers a script starts (it appends their pids): on
# exit they are stopped and the folder removed.
tmp=$(mktemp -d)
pids=()
bench_cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap bench_cleanup EXIT

# bench_actionsd NAME [REV|BINARY]: $tmp/NAME, actionsd built from this tree, or from a git
# revision of this repository, or a copy of an actionsd binary.
bench_actionsd() {
  if [ -z "${2:-}" ]; then
    go build -o "$tmp/$1" ./cmd/actionsd
  elif [ -x "$2" ] && [ -f "$2" ]; then
    cp "$2" "$tmp/$1"
  else
    mkdir "$tmp/$1-src"
    git archive "$2" | tar -x -C "$tmp/$1-src"
    (cd "$tmp/$1-src" && go build -o "$tmp/$1" ./cmd/actionsd)
  fi
}
