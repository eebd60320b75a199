#!/usr/bin/env bash
# Run our article extractor and the Python `trafilatura` peer on the same pages, score both, and
# print their speeds side by side.
#
# Usage: bench/peers/run-extract-peers.sh DIR
#   DIR holds html/*.html.gz and (optionally) score.py, e.g. ../shared/bench/extraction.
#   PARALLAX_PEER_VENV overrides the venv location (default target/peer-venv, relative to repo root).
set -euo pipefail

[[ $# -ge 1 ]] || { echo "usage: $0 DIR" >&2; exit 2; }
# Resolve DIR before changing directory so a relative argument still works.
DIR=$(cd "$1" && pwd)
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
mkdir -p target
VENV=${PARALLAX_PEER_VENV:-target/peer-venv}

# A private venv keeps the peer's dependencies out of the system Python; install only when the
# import fails, so reruns need no network. lxml_html_clean is split out of lxml but still required.
[[ -x $VENV/bin/python ]] || python3 -m venv "$VENV"
if ! "$VENV/bin/python" -c 'import trafilatura' 2>/dev/null; then
  "$VENV/bin/pip" install -q --disable-pip-version-check trafilatura lxml_html_clean
fi

# Our extractor. stderr is shown and also kept so the speed line can be read back; a failure here
# must not stop the peer run, so it is reported and the step skipped.
ours_ok=1
if ! cargo run --release -q -p parallax-bench -- extract "$DIR" 2>&1 >target/pred-parallax.json \
    | tee target/extract-parallax.err >&2; then
  echo "parallax: extractor run failed (see above); continuing with the peer only" >&2
  ours_ok=0
fi

"$VENV/bin/python" bench/peers/trafilatura_peer.py "$DIR" --out target/pred-trafilatura.json \
  2>&1 | tee target/extract-trafilatura.err >&2

# Score with the benchmark's own scorer when it ships one; a scoring failure is reported, not fatal.
if [[ -f $DIR/score.py ]]; then
  if [[ $ours_ok == 1 ]]; then
    echo "parallax: $(python3 "$DIR/score.py" target/pred-parallax.json 2>&1 || true)"
  fi
  echo "trafilatura: $(python3 "$DIR/score.py" target/pred-trafilatura.json 2>&1 || true)"
fi

# Speed is the number right before "pages/s" on each tool's stderr summary line.
speed() { grep -o '[0-9.]\+ pages/s' "$1" 2>/dev/null | tail -n1 | cut -d' ' -f1 || true; }
ours=$( ((ours_ok)) && speed target/extract-parallax.err || true)
peer=$(speed target/extract-trafilatura.err)
if [[ -n $ours && -n $peer ]]; then
  awk -v a="$ours" -v b="$peer" 'BEGIN { printf "speed: parallax %s pages/s, trafilatura %s pages/s, ratio %.1fx\n", a, b, a / b }'
else
  echo "speed: ratio unavailable (parallax='${ours:-?}' trafilatura='${peer:-?}' pages/s)"
fi
