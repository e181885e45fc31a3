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
#   - no part-* or rejects-* file is there that no manifest lists.
#
# Waits up to WAIT_SECONDS (default 0: no wait) for the export to finish,
# looking every $POLL seconds (default 30).
# Exit status: 0 the export can be loaded; 1 it does not match its manifest;
# 75 it is not finished (yet: try again later); 64 usage.
# Needs a POSIX shell, jq, sha256sum and, for .jsonl.gz exports, gzip.
# For a bucket, copy the run's prefix down first (aws s3 cp --recursive,
# gcloud storage cp -r, azcopy copy --recursive) and verify the copy.
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: verify-export.sh DIR [WAIT_SECONDS]" >&2
    exit 64
fi
dir=${1%/}
wait=${2:-0}
poll=${POLL:-30}

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

while reason=$(unfinished) && [ -n "$reason" ]; do
    if [ "$wait" -le 0 ]; then
        echo "verify-export: $dir is not finished: $reason" >&2
        exit 75
    fi
    sleep "$poll"
    wait=$((wait - poll))
done

bad=0
listed=$(jq -r '(.parts + .rejects)[] | .name' "$dir"/_manifest*.json)
sums=$(jq -r '(.parts + .rejects)[] | "\(.sha256)  \(.name)"' "$dir"/_manifest*.json)
if [ -n "$sums" ]; then
    # sha256sum names each missing or different file on stdout.
    printf '%s\n' "$sums" | (cd "$dir" && sha256sum --check --quiet --strict) >&2 || bad=1
fi

jq -r '(.parts + .rejects)[] | select(.name | test("[.]jsonl(.gz)?$")) | "\(.rows) \(.name)"' \
    "$dir"/_manifest*.json | while read -r rows name; do
    [ -e "$dir/$name" ] || continue # reported above
    case $name in
    *.gz) n=$(gzip -dc "$dir/$name" | wc -l) ;;
    *) n=$(wc -l <"$dir/$name") ;;
    esac
    if [ "$n" -ne "$rows" ]; then
        echo "verify-export: $name has $n rows, its manifest says $rows" >&2
        exit 1
    fi
done || bad=1

for f in "$dir"/part-* "$dir"/rejects-*; do
    [ -e "$f" ] || continue
    if ! printf '%s\n' "$listed" | grep -qxF -- "${f##*/}"; then
        echo "verify-export: ${f##*/} is in $dir but in no manifest" >&2
        bad=1
    fi
done

if [ "$bad" -ne 0 ]; then
    echo "verify-export: $dir does not match its manifest: do not load it" >&2
    exit 1
fi
echo "verify-export: $dir is finished and matches its manifest ($(printf '%s\n' "$listed" | grep -c .) files)"
