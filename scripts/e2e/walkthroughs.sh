#!/usr/bin/env bash
# Runs every walk-through of README.md and x/*/README.md verbatim, in order, against the
# network `make demo` leaves running, and reports PASS/FAIL per walk-through (CI runs it
# between `make demo` and `make localnet-stop`).
#
# Which code blocks run: a ```sh block on the line right after an HTML comment
#
#   <!-- walkthrough: NAME -->
#
# Blocks with the same NAME (in one file or several) are one walk-through, run as one bash
# script in document order; prose examples (unmarked blocks) never run. A section whose
# heading says "walk-through" must hold a marked block, or point at another file's
# walk-through with `<!-- walkthrough-see: NAME -->`: a new walk-through cannot be left out
# by forgetting its marker (the script fails, naming the heading).
#
# Each walk-through runs in bash with `set -Eeuo pipefail` from the repository root, in a
# process group of its own (so whatever it left running in the background, e.g. a miner,
# is stopped afterwards), bounded by WALKTHROUGH_TIMEOUT seconds. Walk-throughs check
# their own outcomes: every command must succeed, and blocks end with assertions (`jq -e`,
# a `fails CMD` helper for expected refusals). The output of each is kept in LOG_DIR; a
# failure prints the failing command, its line and the output's tail.
#
#   scripts/e2e/walkthroughs.sh               self-test, then every walk-through
#   scripts/e2e/walkthroughs.sh NAME...       self-test, then the named walk-throughs
#   scripts/e2e/walkthroughs.sh --list        the walk-throughs found (name, blocks, where)
#   scripts/e2e/walkthroughs.sh --print NAME  the script that would run for NAME
#   scripts/e2e/walkthroughs.sh --self-test   only the extractor's self-test (no network needed)
#
# Environment: WALKTHROUGH_TIMEOUT (seconds per walk-through, default 300), LOG_DIR
# (default .localnet/walkthroughs), WALKTHROUGH_DOCS (the files to read; default README.md
# and x/*/README.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
TIMEOUT=${WALKTHROUGH_TIMEOUT:-300}
LOG_DIR=${LOG_DIR:-$ROOT/.localnet/walkthroughs}
if [ -n "${WALKTHROUGH_DOCS:-}" ]; then
  read -r -a DOCS <<<"$WALKTHROUGH_DOCS"
else
  DOCS=(README.md x/*/README.md)
fi

# extract OUT FILE...: writes OUT/<name>.sh (the blocks of each walk-through, concatenated
# in document order), OUT/<name>.map (file:line of each of its lines) and OUT/index (one line per walk-through in order of first
# appearance: name, number of blocks, file:line of each block). Prints every problem as
# file:line: message on stderr and fails when there is one:
#   - a marker not followed at once by a ```sh (or ```bash) block, or a malformed marker;
#   - a heading that says walk-through whose section (up to the next heading of the same
#     or a higher level) has neither a marked block nor a walkthrough-see comment;
#   - a walkthrough-see naming no walk-through.
# Lines inside code blocks are never headings or markers (a "# comment" in a sh block).
extract() {
  local out=$1; shift
  mkdir -p "$out"
  # Portable awk (mawk has no {m,n} intervals).
  awk -v out="$out" '
    function err(where, msg) { printf "%s: %s\n", where, msg > "/dev/stderr"; bad = 1 }
    function close_sections(level) {
      # Closes the open walk-through sections of level >= level (the deepest is last).
      while (nsec > 0 && sec_level[nsec] >= level) {
        if (!sec_ok[nsec])
          err(sec_where[nsec], "section \"" sec_text[nsec] "\" has no <!-- walkthrough: NAME --> block (nor <!-- walkthrough-see: NAME -->): mark its sh block so that CI runs it")
        nsec--
      }
    }
    function mark_sections(   i) { for (i = 1; i <= nsec; i++) sec_ok[i] = 1 }
    function end_file() {
      close_sections(0)
      if (pending != "") err(pending_where, "<!-- walkthrough: " pending " --> must be followed at once by a ```sh block")
      if (incode) err(fname, "a code block is not closed")
      incode = 0; capture = 0; pending = ""
    }
    FNR == 1 { if (NR > 1) end_file(); fname = FILENAME }
    {
      line = $0
      if (incode) {
        if (line ~ /^ ? ? ?```[ \t]*$/) {
          incode = 0
          if (capture) { capture = 0; close(file); close(mapfile) }
          next
        }
        if (capture) {
          print line >> file   # append: a later block of the same name adds to it
          print FILENAME ":" FNR >> mapfile   # where each script line comes from
        }
        next
      }
      if (pending != "") {
        # The line after a marker must open the block it marks.
        if (line ~ /^```(sh|bash)[ \t]*$/) {
          incode = 1; capture = 1; name = pending; pending = ""
          file = out "/" name ".sh"; mapfile = out "/" name ".map"
          if (!(name in blocks)) { order[++nnames] = name; blocks[name] = 0 }
          blocks[name]++
          where[name] = where[name] " " FILENAME ":" FNR
          mark_sections()
          next
        }
        err(pending_where, "<!-- walkthrough: " pending " --> must be followed at once by a ```sh block")
        pending = ""
      }
      if (line ~ /^ ? ? ?```/) { incode = 1; next }
      if (line ~ /^<!-- *walkthrough:/) {
        if (line ~ /^<!-- walkthrough: [A-Za-z0-9][A-Za-z0-9._-]* -->[ \t]*$/) {
          pending = line; sub(/^<!-- walkthrough: /, "", pending); sub(/ -->.*$/, "", pending)
          pending_where = FILENAME ":" FNR
        } else err(FILENAME ":" FNR, "malformed marker (want <!-- walkthrough: NAME -->, NAME of [A-Za-z0-9._-])")
        next
      }
      if (line ~ /^<!-- *walkthrough-see:/) {
        if (line ~ /^<!-- walkthrough-see: [A-Za-z0-9][A-Za-z0-9._-]* -->[ \t]*$/) {
          ref = line; sub(/^<!-- walkthrough-see: /, "", ref); sub(/ -->.*$/, "", ref)
          refs[++nrefs] = ref; ref_where[nrefs] = FILENAME ":" FNR
          mark_sections()
        } else err(FILENAME ":" FNR, "malformed comment (want <!-- walkthrough-see: NAME -->)")
        next
      }
      if (match(line, /^#+ /) && RLENGTH <= 7) {
        level = RLENGTH - 1
        close_sections(level)
        text = substr(line, level + 2)
        if (tolower(text) ~ /walk-?through/) {
          nsec++; sec_level[nsec] = level; sec_ok[nsec] = 0
          sec_where[nsec] = FILENAME ":" FNR; sec_text[nsec] = text
        }
      }
    }
    END {
      end_file()
      for (i = 1; i <= nrefs; i++)
        if (!(refs[i] in blocks)) err(ref_where[i], "<!-- walkthrough-see: " refs[i] " --> names no walk-through")
      printf "" > (out "/index")
      for (i = 1; i <= nnames; i++) printf "%s\t%d\t%s\n", order[i], blocks[order[i]], substr(where[order[i]], 2) > (out "/index")
      exit bad
    }
  ' "$@"
}

# self_test: the extractor on synthetic documents: it finds every marked block (and only
# those), joins blocks of one name in order, ignores headings inside code blocks, and
# refuses an unmarked walk-through heading, a marker not followed by its block and a
# dangling walkthrough-see; then, on the real documents, it finds every marker.
self_test() {
  local t out rc=0
  t=$(mktemp -d)
  cat >"$t/good.md" <<'EOF'
# Title
## Walk-through: one
Prose.
<!-- walkthrough: alpha -->
```sh
echo alpha-1
# Walk-through: a comment inside a block, not a heading
```
An example that does not run:
```sh
echo unmarked
```
### A subsection
## Walk-through: two
<!-- walkthrough: beta -->
```bash
echo beta-1
```
More prose, then the second part of alpha:
<!-- walkthrough: alpha -->
```sh
echo alpha-2
```
## Another walk-through (pointer)
<!-- walkthrough-see: beta -->
## Unrelated
```sh
echo unrelated
```
EOF
  cat >"$t/unmarked.md" <<'EOF'
## Walk-through: forgotten
```sh
echo forgotten
```
## Next
EOF
  cat >"$t/gap.md" <<'EOF'
## Walk-through: gap
<!-- walkthrough: gap -->

```sh
echo gap
```
EOF
  cat >"$t/dangling.md" <<'EOF'
## Walk-through: elsewhere
<!-- walkthrough-see: nowhere -->
EOF
  check() { if [ "$2" != "$3" ]; then echo "self-test: $1: got [$2], want [$3]" >&2; rc=1; fi; }

  out=$t/good; extract "$out" "$t/good.md" 2>"$t/err" || { echo "self-test: good.md refused: $(cat "$t/err")" >&2; rc=1; }
  check "names in order" "$(cut -f1 "$out/index" | tr '\n' ' ')" "alpha beta "
  check "alpha's blocks" "$(cut -f2 "$out/index" | head -1)" "2"
  check "alpha's script" "$(cat "$out/alpha.sh" 2>/dev/null | tr '\n' '|')" "echo alpha-1|# Walk-through: a comment inside a block, not a heading|echo alpha-2|"
  check "alpha's line map" "$(sed "s#^$t/##" "$out/alpha.map" 2>/dev/null | tr '\n' ' ')" "good.md:6 good.md:7 good.md:22 "
  check "beta's script" "$(cat "$out/beta.sh" 2>/dev/null | tr '\n' '|')" "echo beta-1|"
  check "unmarked blocks are not extracted" "$(cat "$out"/*.sh | grep -c 'unmarked\|unrelated' || true)" "0"

  for bad in unmarked:'section "Walk-through: forgotten" has no' gap:'must be followed at once' dangling:'walkthrough-see: nowhere --> names no walk-through'; do
    if extract "$t/${bad%%:*}" "$t/${bad%%:*}.md" 2>"$t/err"; then
      echo "self-test: ${bad%%:*}.md was accepted; it must fail" >&2; rc=1
    elif ! grep -q "${bad#*:}" "$t/err"; then
      echo "self-test: ${bad%%:*}.md failed without naming the problem (${bad#*:}): $(cat "$t/err")" >&2; rc=1
    fi
  done

  # The real documents: every marker line yields one extracted block, and there is one.
  out=$t/real
  extract "$out" "${DOCS[@]}" || { echo "self-test: the documents fail the checks above" >&2; rm -rf "$t"; return 1; }
  local markers blocks
  markers=$(cat "${DOCS[@]}" | grep -c '^<!-- walkthrough: ' || true)
  blocks=$(awk -F'\t' '{ n += $2 } END { print n + 0 }' "$out/index")
  check "blocks extracted from ${DOCS[*]}" "$blocks" "$markers"
  [ "$markers" -gt 0 ] || { echo "self-test: no marked walk-through in ${DOCS[*]}" >&2; rc=1; }
  local names
  names=$(wc -l <"$out/index")
  rm -rf "$t"
  [ "$rc" = 0 ] && echo "self-test: extractor ok ($markers marked blocks in $names walk-throughs; unmarked walk-through sections refused)"
  return "$rc"
}

# The prologue of every walk-through's script: strict mode and a report of the failing
# command (the ERR trap runs with the failing command still in BASH_COMMAND).
prologue() {
  cat <<'EOF'
set -Eeuo pipefail
trap 'rc=$?; echo "WALKTHROUGH-FAILED line $LINENO exit $rc: $BASH_COMMAND" >&2' ERR
EOF
}
PROLOGUE_LINES=$(prologue | wc -l)

# network_up: the demo's chain answers and its sidecars run (the walk-throughs need them).
network_up() {
  [ -x build/cortd ] && [ -x build/cortd-sidecar ] || { echo "build/cortd and build/cortd-sidecar are missing: run make demo first" >&2; return 1; }
  ./build/cortd --home .localnet status >/dev/null 2>&1 || { echo "no chain answers on .localnet's node: run make demo first" >&2; return 1; }
  ./build/cortd --home .localnet q nodes eligible tiny -o json 2>/dev/null | grep -q '"miner' ||
    { echo "no demo miner serves tiny: run make demo first" >&2; return 1; }
}

PGIDS=()
cleanup_groups() {
  local g
  for g in "${PGIDS[@]}"; do kill -TERM -- "-$g" 2>/dev/null || true; done
  sleep 1
  for g in "${PGIDS[@]}"; do kill -KILL -- "-$g" 2>/dev/null || true; done
  PGIDS=()
}

# run_one NAME: runs one walk-through; prints PASS or FAIL with its time.
run_one() {
  local name=$1 script=$WORK/run-$1.sh log=$LOG_DIR/$1.log start rc pid secs where
  where=$(awk -F'\t' -v n="$name" '$1 == n { print $3 }' "$WORK/blocks/index")
  { prologue; cat "$WORK/blocks/$name.sh"; } >"$script"
  cp "$script" "$LOG_DIR/$name.sh"
  start=$(date +%s)
  # timeout makes itself the leader of a new process group: everything the walk-through
  # starts in the background stays in it, and is stopped with it below.
  timeout --kill-after=10 "$TIMEOUT" bash "$script" </dev/null >"$log" 2>&1 &
  pid=$!
  PGIDS=("$pid")
  rc=0; wait "$pid" || rc=$?
  cleanup_groups
  secs=$(( $(date +%s) - start ))
  if [ "$rc" = 0 ]; then
    printf 'PASS  %-10s %4ds  (%s)\n' "$name" "$secs" "$where"
    return 0
  fi
  printf 'FAIL  %-10s %4ds  (%s)\n' "$name" "$secs" "$where"
  if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
    echo "      timed out after ${TIMEOUT}s (WALKTHROUGH_TIMEOUT)"
  fi
  local failed
  failed=$(grep '^WALKTHROUGH-FAILED' "$log" | head -1 || true)
  if [ -n "$failed" ]; then
    local ln cmd src=""
    ln=$(echo "$failed" | sed -n 's/^WALKTHROUGH-FAILED line \([0-9]*\) .*/\1/p')
    cmd=$(echo "$failed" | sed 's/^WALKTHROUGH-FAILED line [0-9]* exit [0-9]*: //')
    # The script is the prologue's lines, then the blocks' lines in the map's order.
    [ -n "$ln" ] && [ "$ln" -gt "$PROLOGUE_LINES" ] && src=$(sed -n "$((ln - PROLOGUE_LINES))p" "$WORK/blocks/$name.map")
    echo "      failing command (${src:+$src, }line $ln of $LOG_DIR/$name.sh, exit $(echo "$failed" | sed -n 's/.* exit \([0-9]*\): .*/\1/p')):"
    echo "        $cmd"
    if [ -n "$ln" ] && [ "$(sed -n "${ln}p" "$script")" != "$cmd" ]; then
      echo "      on the line: $(sed -n "${ln}p" "$script")"
    fi
  fi
  echo "      output (last 40 lines of $log):"
  tail -40 "$log" | sed 's/^/        /'
  return 1
}

main() {
  case "${1:-}" in
    --self-test) self_test; return ;;
    --list|--print)
      WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
      extract "$WORK/blocks" "${DOCS[@]}"
      if [ "$1" = --list ]; then
        awk -F'\t' '{ printf "%-10s %d block(s)  %s\n", $1, $2, $3 }' "$WORK/blocks/index"
      else
        [ -f "$WORK/blocks/${2:-}.sh" ] || { echo "no walk-through named ${2:-}" >&2; return 2; }
        prologue; cat "$WORK/blocks/$2.sh"
      fi
      return ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; return ;;
    -*) echo "unknown option $1 (see --help)" >&2; return 2 ;;
  esac
  command -v jq >/dev/null && command -v curl >/dev/null || { echo "jq and curl are needed (bash scripts/ci-deps.sh)" >&2; return 1; }
  self_test
  WORK=$(mktemp -d)
  trap 'cleanup_groups; rm -rf "$WORK"' EXIT
  trap 'exit 130' INT TERM
  extract "$WORK/blocks" "${DOCS[@]}"
  local names=() n
  if [ $# -gt 0 ]; then
    for n in "$@"; do
      [ -f "$WORK/blocks/$n.sh" ] || { echo "no walk-through named $n (--list shows them)" >&2; return 2; }
      names+=("$n")
    done
  else
    mapfile -t names < <(cut -f1 "$WORK/blocks/index")
  fi
  network_up
  mkdir -p "$LOG_DIR"
  echo "running ${#names[@]} walk-through(s) against the demo network (logs in $LOG_DIR, ${TIMEOUT}s each at most)"
  local failed=() total_start
  total_start=$(date +%s)
  for n in "${names[@]}"; do run_one "$n" || failed+=("$n"); done
  echo "walk-throughs: $(( ${#names[@]} - ${#failed[@]} ))/${#names[@]} passed in $(( $(date +%s) - total_start ))s"
  if [ ${#failed[@]} -gt 0 ]; then
    echo "failed: ${failed[*]}"
    return 1
  fi
}

main "$@"
