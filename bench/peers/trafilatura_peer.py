#!/usr/bin/env python3
"""Peer benchmark: run the Python `trafilatura` extractor on the article-extraction pages.

Usage: trafilatura_peer.py DIR [--out PRED.json]

Reads DIR/html/*.html.gz (page id = file name without .html.gz) and writes predictions in the
format DIR/score.py expects: {id: {"articleBody": text}}. Prints one speed line to stderr:
    trafilatura: N pages in S s = X pages/s, peak memory M MB
"""
import argparse
import gzip
import json
import resource
import sys
import time
from pathlib import Path

import trafilatura  # imported before the clock starts: import time is not extraction time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir", type=Path)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()

    # Decompress everything up front so the timed loop measures extraction only, not gzip or disk.
    pages = {p.name[: -len(".html.gz")]: gzip.decompress(p.read_bytes())
             for p in sorted((args.dir / "html").glob("*.html.gz"))}
    if not pages:
        sys.exit(f"no pages in {args.dir / 'html'}")

    # Library defaults except comments, which are not part of an article body. Tables stay in
    # (the default) and precision/recall balance is the default, i.e. no favor_precision/recall.
    # Bytes are passed as-is so trafilatura does its own charset detection, like our extractor.
    pred = {}
    start = time.perf_counter()
    for pid, html in pages.items():
        pred[pid] = {"articleBody": trafilatura.extract(html, output_format="txt", include_comments=False) or ""}
    secs = time.perf_counter() - start

    if args.out:
        args.out.write_text(json.dumps(pred, ensure_ascii=False, indent=1))
    # ru_maxrss is in KiB on Linux (bytes on macOS).
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    mb = rss / (1 << 20) if sys.platform == "darwin" else rss / 1024
    print(f"trafilatura: {len(pages)} pages in {secs:.2f} s = {len(pages) / secs:.1f} pages/s, "
          f"peak memory {mb:.0f} MB", file=sys.stderr)


if __name__ == "__main__":
    main()
