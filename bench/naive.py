#!/usr/bin/env python3
"""Naive reference exporter: the hand-written script profile-export is compared with.

It does what a user would write in an afternoon with the standard library only:
read the CSV (columns id, type), fetch every profile with urllib in a thread pool,
and write one JSON object per line, profiles to OUTPUT and 404s and failures to
OUTPUT.rejects.jsonl. No rate limit, a short retry loop on 429/5xx, no resume.

    python3 bench/naive.py --base-url http://127.0.0.1:8080 --client sandbox \
        -i ids.csv -o profiles.jsonl -c 32

The benchmark suite (bench/run) measures its CPU time next to profile-export's.
"""

import argparse
import csv
import datetime
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

PATHS = {
    "tntId": "",
    "marketingCloudVisitorId": "marketingCloudVisitorId/",
    "thirdPartyId": "thirdPartyId/",
}


def fetch(base, client, line, vid, typ, retries=3):
    url = "%s/rest/v1/profiles/%s%s?client=%s" % (
        base, PATHS[typ], urllib.parse.quote(vid, safe=""), urllib.parse.quote(client))
    for attempt in range(retries + 1):
        try:
            with urllib.request.urlopen(url, timeout=30) as resp:
                return line, vid, typ, resp.status, resp.read()
        except urllib.error.HTTPError as err:
            body = err.read()
            if err.code == 429 or err.code >= 500:
                if attempt < retries:
                    time.sleep(0.5 * (attempt + 1))
                    continue
            return line, vid, typ, err.code, body
        except OSError as err:
            if attempt < retries:
                time.sleep(0.5 * (attempt + 1))
                continue
            return line, vid, typ, 0, str(err).encode()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--client", default="sandbox")
    ap.add_argument("-i", "--input", required=True)
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("-c", "--concurrency", type=int, default=32)
    args = ap.parse_args()

    with open(args.input, newline="") as f:
        rows = [(n, r["id"].strip(), r["type"].strip())
                for n, r in enumerate(csv.DictReader(f), start=2)]

    profiles = rejects = 0
    with open(args.output, "w") as out, open(args.output + ".rejects.jsonl", "w") as rej, \
            ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        futures = [pool.submit(fetch, args.base_url, args.client, *r) for r in rows]
        for fut in futures:
            line, vid, typ, status, body = fut.result()
            if status == 200:
                rec = {"line": line, "id": vid, "type": typ,
                       "fetched_at": datetime.datetime.now(datetime.timezone.utc).isoformat(),
                       "profile": json.loads(body)}
                out.write(json.dumps(rec) + "\n")
                profiles += 1
            else:
                try:
                    msg = json.loads(body).get("message", "")
                except ValueError:
                    msg = body[:200].decode("utf-8", "replace")
                rej.write(json.dumps({"line": line, "id": vid, "type": typ,
                                      "status": status, "message": msg}) + "\n")
                rejects += 1
    print("rows=%d profiles=%d rejects=%d" % (len(rows), profiles, rejects), file=sys.stderr)


if __name__ == "__main__":
    main()
