#!/bin/sh
# verify-export.sh DIR [WAIT_SECONDS]
#
# Checks, before a loader takes it, that DIR holds a finished directory export of
# profile-export (-o DIR/) that matches its manifest:
#   - the export is finished: _SUCCESS is there (it is written last, after
#     _manifest.json); a sharded export (--shard K/N into one directory) is
#     finished when each of its N shards wrote _manifest-sKKK.json and _SUCCESS-sKKK;
#   - every file a manifest lists is there with its SHA-256 (so its bytes);
#   - every JSON Lines file has the rows its manifest gives (Parquet row counts
#     are checked by the load statements, see warehouse/duckdb/load.sql);
#   - no part-* or rejects-* file is there that no manifest lists (nor a
#     rejects-* file in the directory of its rejects, when that is another one).
#
# The rejects parts are in DIR unless the export was run with --rejects naming
# another directory: the manifest then gives each rejects part's "path",
# relative to DIR (so move or copy the two directories together), or a URL when
# either directory was in object storage. REJECTS_DIR=DIR2 says to look for
# those rejects parts in DIR2 instead, e.g. a local copy of a bucket's prefix.
#
# Waits up to WAIT_SECONDS (default 0: no wait) for the export to finish,
# looking every $POLL seconds (default 30).
# Exit status: 0 the export can be loaded; 1 it does not match its manifest
# (or it mixes exports of different shardings);
# 75 it is not finished (yet: try again later); 64 usage (including rejects
# parts in object storage without REJECTS_DIR).
# Needs a POSIX shell, jq, sha256sum and, for .jsonl.gz exports, gzip.
# For a bucket, copy the run's prefix down first (aws s3 cp --recursive,
# gcloud storage cp -r, azcopy copy --recursive) and verify the copy.
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: [REJECTS_DIR=DIR2] verify-export.sh DIR [WAIT_SECONDS]" >&2
    exit 64
fi
dir=${1%/}
wait=${2:-0}
poll=${POLL:-30}
rejects_dir=
if [ -n "${REJECTS_DIR:-}" ]; then
    # Made absolute: the files are checked from inside $dir.
    if ! rejects_dir=$(cd "$REJECTS_DIR" 2>/dev/null && pwd); then
        echo "verify-export: REJECTS_DIR $REJECTS_DIR is not a directory" >&2
        exit 64
    fi
fi
tab=$(printf '\t')

# unfinished prints why DIR is not a finished export, or nothing when it is.
unfinished() {
    set -- "$dir"/_manifest*.json
    if [ ! -e "$1" ]; then
        echo "no _manifest.json"
        return
    fi
    shards=$(jq -rs 'map(.shard // "0/1" | split("/")[1] | tonumber) | max' "$@")
    if [ "$#" -ne "$shards" ]; then
        echo "$# of $shards shards have finished"
        return
    fi
    for m in "$@"; do
        s=$(basename "$m" .json)
        s=_SUCCESS${s#_manifest}
        if [ ! -e "$dir/$s" ]; then
            echo "no $s"
            return
        fi
    done
}

# mixed prints why the manifests in DIR cannot be those of one export (an
# unsharded export and a sharded one, or two shard counts, in one directory:
# waiting would not make it loadable), or nothing.
mixed() {
    set -- "$dir"/_manifest*.json
    [ -e "$1" ] || return 0
    counts=$(jq -rs 'map(.shard // "0/1" | split("/")[1]) | unique | join(", ")' "$@")
    case $counts in
    *,*) echo "its manifests are of exports with different shard counts ($counts)" ;;
    *) if [ "$#" -gt "$counts" ]; then echo "it holds $# manifests for $counts shard(s)"; fi ;;
    esac
}

if reason=$(mixed) && [ -n "$reason" ]; then
    echo "verify-export: $dir mixes exports: $reason" >&2
    exit 1
fi

while reason=$(unfinished) && [ -n "$reason" ]; do
    if [ "$wait" -le 0 ]; then
        echo "verify-export: $dir is not finished: $reason" >&2
        exit 75
    fi
    sleep "$poll"
    wait=$((wait - poll))
done

# listed is "SHA-256<TAB>rows<TAB>file" for every file the manifests list, the
# file relative to $dir (or absolute): a part by its name, a rejects part by its
# name or, written to another directory, by its path (see above).
listed=$(jq -r --arg rd "$rejects_dir" '
    (.parts[] | [.sha256, .rows, .name]),
    (.rejects[] | [.sha256, .rows,
        (if .path == null then .name
         elif $rd != "" then $rd + "/" + .name
         elif (.path | startswith("file://")) then .path[7:]
         else .path end)])
    | @tsv' "$dir"/_manifest*.json)
if remote=$(printf '%s\n' "$listed" | cut -f3 | grep -m1 -E '^[a-zA-Z][a-zA-Z0-9+.-]*://'); then
    echo "verify-export: $dir lists rejects parts in object storage ($remote):" \
        "copy that prefix down and set REJECTS_DIR to the copy" >&2
    exit 64
fi

# at prints where a listed file is, from the working directory.
at() {
    case $1 in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s\n' "$dir/$1" ;;
    esac
}

bad=0
if [ -n "$listed" ]; then
    # sha256sum names each missing or different file on stdout.
    printf '%s\n' "$listed" | awk -F "$tab" '{ print $1 "  " $3 }' |
        (cd "$dir" && sha256sum --check --quiet --strict) >&2 || bad=1
fi

printf '%s\n' "$listed" | while IFS=$tab read -r _ rows name; do
    case $name in
    *.jsonl | *.jsonl.gz) ;;
    *) continue ;; # Parquet (or no file at all)
    esac
    f=$(at "$name")
    [ -e "$f" ] || continue # reported above
    case $name in
    *.gz) n=$(gzip -dc "$f" | wc -l) ;;
    *) n=$(wc -l <"$f") ;;
    esac
    if [ "$n" -ne "$rows" ]; then
        echo "verify-export: ${name##*/} has $n rows, its manifest says $rows" >&2
        exit 1
    fi
done || bad=1

# A stray file would be taken by a loader reading part-* or rejects-*: look in
# $dir, and for rejects-* in each other directory holding listed rejects parts.
paths=$(printf '%s\n' "$listed" | cut -f3 | while read -r name; do
    [ -z "$name" ] || at "$name"
done)
others=$(printf '%s\n' "$paths" | grep '/rejects-[^/]*$' | sed 's|/[^/]*$||' |
    grep -vxF -- "$dir" | sort -u || true)
strays=$(
    for f in "$dir"/part-* "$dir"/rejects-*; do
        [ -e "$f" ] && printf '%s\n' "$f"
    done
    printf '%s\n' "$others" | while read -r d; do
        [ -z "$d" ] && continue
        for f in "$d"/rejects-*; do
            [ -e "$f" ] && printf '%s\n' "$f"
        done
    done
    true
)
if [ -n "$strays" ]; then
    while read -r f; do
        if ! printf '%s\n' "$paths" | grep -qxF -- "$f"; then
            echo "verify-export: ${f##*/} is in ${f%/*} but in no manifest" >&2
            bad=1
        fi
    done <<EOF
$strays
EOF
fi

if [ "$bad" -ne 0 ]; then
    echo "verify-export: $dir does not match its manifest: do not load it" >&2
    exit 1
fi
echo "verify-export: $dir is finished and matches its manifest ($(printf '%s\n' "$listed" | grep -c .) files)"
