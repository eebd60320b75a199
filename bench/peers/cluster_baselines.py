#!/usr/bin/env python3
"""Two classic TF-IDF story-clustering baselines, for scoring side by side with our clusterer.

Usage:
    cluster_baselines.py METHOD FILE.jsonl [--threshold X] [--topics odd|even|all] > PRED.json
    cluster_baselines.py tune METHOD FILE.jsonl [--topics odd|even|all] [--verbose]
    cluster_baselines.py heldout METHOD FILE.jsonl

METHOD is one of
    single-pass    online single-pass clustering: documents arrive in file order; each is compared
                   (cosine) with the centroid of every cluster opened so far and joins the most similar
                   one if that similarity is >= the threshold, otherwise it opens a new cluster.
    agglomerative  offline average-link agglomerative clustering over all document pairs: the two
                   clusters with the highest average pairwise cosine are merged while that average is
                   >= the threshold.

FILE.jsonl holds one document a line with "id" and "text" and optionally "title" (prepended to the
text unless the text already starts with it). For `tune` and `heldout` it also needs the gold "story"
and, to split the file, "topic" (an integer, or a string whose digits give one, e.g. "t18").
Other fields are ignored.

Documents are represented as TF-IDF vectors: lowercase \\w+ tokens, minus a short English stop-word
list and one-character tokens; term weight (1 + ln tf) * idf with idf = ln((N + 1) / (df + 1)) + 1;
each vector L2-normalised. The IDF statistics come from the whole collection being clustered (the
whole file, or the selected topics), which is the usual, generous form of these baselines: an online
system would only know the documents seen so far.

The default command prints {id: cluster} JSON on stdout, the format score.py reads; without
--threshold it uses the threshold `tune` picks on the ECB+ dev file (single-pass 0.25,
agglomerative 0.175). `tune` grid-searches the threshold (0.05 to 0.95 in steps of 0.025) for the
best BCubed F1 against "story" and prints the result on stderr. `heldout` tunes on the odd topics and
scores the even ones, then the reverse, and prints both held-out BCubed F1 figures and their mean on
stdout. With --topics, only the documents of the odd or even topics are read and clustered (and the
IDF statistics come from them alone).
"""
import argparse
import heapq
import json
import math
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

METHODS = ("single-pass", "agglomerative")
# Defaults: the thresholds `tune` picks on the ECB+ dev file (all topics).
DEFAULT_THRESHOLD = {"single-pass": 0.25, "agglomerative": 0.175}
GRID = [round(0.05 + 0.025 * i, 3) for i in range(37)]  # 0.05, 0.075, ..., 0.95

STOP_WORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had has
have having he her here hers herself him himself his how if in into is it its itself just me more
most my myself no nor not now of off on once only or other our ours ourselves out over own same she
should so some such than that the their theirs them themselves then there these they this those
through to too under until up very was we were what when where which while who whom why will with
would you your yours yourself yourselves
""".split())

TOKEN_RE = re.compile(r"\w+")


# ---------------------------------------------------------------------------------------------
# Input


def load_documents(path):
    """Read a JSON-lines file into a list of dicts with keys id, text, story and topic.

    The title, when present, is prepended to the text unless the text already starts with it.
    story and topic are None when the line lacks them.
    """
    docs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            raw = json.loads(line)
            text = raw.get("text") or ""
            title = raw.get("title") or ""
            if title and not text.startswith(title):
                text = f"{title}\n{text}"
            docs.append({
                "id": str(raw["id"]),
                "text": text,
                "story": None if raw.get("story") is None else str(raw["story"]),
                "topic": raw.get("topic"),
            })
    return docs


def topic_number(topic):
    """Return the integer a topic stands for (7 for 7, "7" or "t07"), or None if it has no digits."""
    if isinstance(topic, int):
        return topic
    digits = re.sub(r"\D", "", str(topic)) if topic is not None else ""
    return int(digits) if digits else None


def select_topics(docs, which):
    """Keep the documents whose topic number is odd or even; `all` keeps every document."""
    if which == "all":
        return list(docs)
    parity = 1 if which == "odd" else 0
    kept = []
    for doc in docs:
        number = topic_number(doc["topic"])
        if number is None:
            sys.exit(f"document {doc['id']} has no numeric topic; cannot select {which} topics")
        if number % 2 == parity:
            kept.append(doc)
    return kept


# ---------------------------------------------------------------------------------------------
# Representation


def tokenize(text):
    """Lowercase word tokens of `text`, without stop words and one-character tokens."""
    return [t for t in TOKEN_RE.findall(text.lower()) if len(t) > 1 and t not in STOP_WORDS]


def tfidf_vectors(texts):
    """Return one sparse L2-normalised TF-IDF vector ({term: weight}) per text.

    tf is sublinear (1 + ln tf); idf = ln((N + 1) / (df + 1)) + 1 over the given texts.
    A text without any kept token gets an empty vector.
    """
    counts = [Counter(tokenize(t)) for t in texts]
    df = Counter()
    for c in counts:
        df.update(c.keys())
    n = len(texts)
    idf = {term: math.log((n + 1) / (d + 1)) + 1.0 for term, d in df.items()}
    vectors = []
    for c in counts:
        vec = {term: (1.0 + math.log(tf)) * idf[term] for term, tf in c.items()}
        norm = math.sqrt(sum(w * w for w in vec.values()))
        vectors.append({term: w / norm for term, w in vec.items()} if norm else {})
    return vectors


def similarity_rows(vectors):
    """Cosine similarity of every pair of (normalised) vectors, as sparse rows.

    Row i maps j (j != i) to the cosine of documents i and j; pairs with no shared term are absent.
    Built with an inverted index, so only pairs that share a term are ever touched.
    """
    rows = [dict() for _ in vectors]
    postings = defaultdict(list)  # term -> [(earlier doc, weight)]
    for i, vec in enumerate(vectors):
        acc = defaultdict(float)
        for term, w in vec.items():
            plist = postings[term]
            for j, wj in plist:
                acc[j] += w * wj
            plist.append((i, w))
        row_i = rows[i]
        for j, s in acc.items():
            row_i[j] = s
            rows[j][i] = s
    return rows


# ---------------------------------------------------------------------------------------------
# Clustering


def single_pass(vectors, sims, threshold):
    """Online single-pass clustering in input order; returns one cluster number per document.

    A cluster's centroid is the mean of its members' vectors, so the cosine of document d with it
    is dot(d, S) / |S| where S is the sum of the member vectors. dot(d, S) is the sum of d's
    similarities to the members and |S|^2 is kept up to date as members join, which gives exactly
    the centroid cosine without materialising centroids.
    """
    labels = []
    sq_norm = []  # per cluster: |sum of member vectors|^2
    for d, row in enumerate(sims):
        dots = defaultdict(float)
        for m, s in row.items():
            if m < d:
                dots[labels[m]] += s
        best, best_sim = None, -1.0
        for c, dot in dots.items():
            sim = dot / math.sqrt(sq_norm[c]) if sq_norm[c] > 0 else 0.0
            if sim > best_sim or (sim == best_sim and c < best):
                best, best_sim = c, sim
        self_dot = 1.0 if vectors[d] else 0.0
        if best is not None and best_sim >= threshold:
            labels.append(best)
            sq_norm[best] += 2.0 * dots[best] + self_dot
        else:
            labels.append(len(sq_norm))
            sq_norm.append(self_dot)
    return labels


def average_link_merges(sims, floor):
    """Average-link agglomerative merges, most similar first, down to similarity `floor`.

    Returns [(similarity, a, b, new)]: clusters a and b merged into cluster `new`. Leaves are
    0..n-1 and every merge creates the next id. Cluster-to-cluster average similarities are kept
    in sparse rows (absent = 0) and updated with the Lance-Williams rule for average linkage,
        sim(a+b, c) = (|a| sim(a, c) + |b| sim(b, c)) / (|a| + |b|),
    and candidate pairs wait in a heap whose stale entries (a retired cluster) are skipped. Average
    linkage is monotone, so the merge similarities never increase and cutting at a threshold t is
    the same as keeping the prefix of merges with similarity >= t.
    """
    n = len(sims)
    rows = [dict(r) for r in sims]
    size = [1] * n
    alive = [True] * n
    heap = [(-s, i, j) for i, r in enumerate(rows) for j, s in r.items() if i < j and s >= floor]
    heapq.heapify(heap)
    merges = []
    while heap:
        neg, a, b = heapq.heappop(heap)
        if not (alive[a] and alive[b]):
            continue
        new = len(size)
        na, nb = size[a], size[b]
        ra, rb = rows[a], rows[b]
        row_new = {}
        for c in ra.keys() | rb.keys():
            if c == a or c == b:
                continue
            s = (na * ra.get(c, 0.0) + nb * rb.get(c, 0.0)) / (na + nb)
            rc = rows[c]
            rc.pop(a, None)
            rc.pop(b, None)
            rc[new] = s
            row_new[c] = s
            if s >= floor:
                heapq.heappush(heap, (-s, c, new))
        alive[a] = alive[b] = False
        rows[a] = rows[b] = None
        rows.append(row_new)
        size.append(na + nb)
        alive.append(True)
        merges.append((-neg, a, b, new))
    return merges


def cut(merges, n, threshold):
    """Flat clusters (one number per leaf) from the merges made while similarity >= threshold."""
    parent = list(range(n + len(merges)))
    for sim, a, b, new in merges:
        if sim < threshold:
            break
        parent[a] = parent[b] = new
    labels = []
    for i in range(n):
        root = i
        while parent[root] != root:
            root = parent[root]
        labels.append(root)
    return labels


def sweep(method, docs, thresholds):
    """Cluster `docs` with `method` at each threshold; yields (threshold, labels).

    The vectors and similarities are built once. For agglomerative clustering the merge sequence is
    also built once, down to the lowest threshold, and cut at each threshold.
    """
    vectors = tfidf_vectors([d["text"] for d in docs])
    sims = similarity_rows(vectors)
    if method == "single-pass":
        for t in thresholds:
            yield t, single_pass(vectors, sims, t)
    else:
        merges = average_link_merges(sims, min(thresholds))
        for t in thresholds:
            yield t, cut(merges, len(docs), t)


def cluster(method, docs, threshold):
    """Cluster `docs` with `method` at `threshold`; returns one cluster number per document."""
    return next(sweep(method, docs, [threshold]))[1]


# ---------------------------------------------------------------------------------------------
# Scoring and tuning


def bcubed(pred, gold):
    """BCubed precision, recall and F1 of predicted labels against gold labels (parallel lists).

    Per item, precision = |pred cluster ∩ gold cluster| / |pred cluster| and recall =
    |pred cluster ∩ gold cluster| / |gold cluster|; both are averaged over items and F1 is the
    harmonic mean of the two averages.
    """
    joint = Counter(zip(gold, pred))
    gold_size = Counter(gold)
    pred_size = Counter(pred)
    n = len(gold)
    # Every item in the cell (g, p) has the same per-item scores, so sum once per cell.
    p = sum(c * c / pred_size[k] for (g, k), c in joint.items()) / n
    r = sum(c * c / gold_size[g] for (g, k), c in joint.items()) / n
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def gold_stories(docs):
    """The gold story of each document; exits if any document lacks one."""
    missing = [d["id"] for d in docs if d["story"] is None]
    if missing:
        sys.exit(f"{len(missing)} document(s) lack a gold story, e.g. {missing[0]}")
    return [d["story"] for d in docs]


def tune(method, docs, verbose=False):
    """Grid-search the threshold for BCubed F1; returns (threshold, precision, recall, F1).

    Ties go to the lowest threshold.
    """
    gold = gold_stories(docs)
    best = None
    for t, labels in sweep(method, docs, GRID):
        p, r, f = bcubed(labels, gold)
        if verbose:
            print(f"  threshold={t:.3f} clusters={len(set(labels))} "
                  f"bcubed_p={p:.4f} bcubed_r={r:.4f} bcubed_f1={f:.4f}", file=sys.stderr)
        if best is None or f > best[3]:
            best = (t, p, r, f)
    return best


def evaluate(method, docs, threshold):
    """BCubed (precision, recall, F1) of `method` at `threshold` on `docs`."""
    return bcubed(cluster(method, docs, threshold), gold_stories(docs))


# ---------------------------------------------------------------------------------------------
# Command line


def cmd_cluster(args):
    """Print {id: cluster} JSON for the selected documents."""
    docs = select_topics(load_documents(args.file), args.topics)
    threshold = DEFAULT_THRESHOLD[args.method] if args.threshold is None else args.threshold
    labels = cluster(args.method, docs, threshold)
    # Renumber clusters 0, 1, ... in order of first appearance.
    number = {}
    pred = {d["id"]: number.setdefault(label, len(number)) for d, label in zip(docs, labels)}
    json.dump(pred, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")


def cmd_tune(args):
    """Print the best threshold on the selected topics and its BCubed scores to stderr."""
    docs = select_topics(load_documents(args.file), args.topics)
    t, p, r, f = tune(args.method, docs, args.verbose)
    print(f"{args.method} topics={args.topics} docs={len(docs)} best_threshold={t:.3f} "
          f"bcubed_p={p:.4f} bcubed_r={r:.4f} bcubed_f1={f:.4f}", file=sys.stderr)


def cmd_heldout(args):
    """Tune on odd topics and score even ones, then the reverse; print both F1 figures and the mean."""
    all_docs = load_documents(args.file)
    split = {w: select_topics(all_docs, w) for w in ("odd", "even")}
    scores = []
    for train, test in (("odd", "even"), ("even", "odd")):
        t = tune(args.method, split[train])[0]
        p, r, f = evaluate(args.method, split[test], t)
        scores.append(f)
        print(f"{args.method} tuned_on={train} threshold={t:.3f} scored_on={test} "
              f"docs={len(split[test])} bcubed_p={p:.4f} bcubed_r={r:.4f} bcubed_f1={f:.4f}")
    print(f"{args.method} heldout_mean_bcubed_f1={sum(scores) / len(scores):.4f}")


def main(argv=None):
    """Dispatch the `tune`, `heldout` and plain clustering commands."""
    argv = sys.argv[1:] if argv is None else argv
    topics = dict(choices=("odd", "even", "all"), default="all",
                  help="cluster only the documents of odd or even topics (default: all)")
    if argv and argv[0] in ("tune", "heldout"):
        ap = argparse.ArgumentParser(prog=f"cluster_baselines.py {argv[0]}")
        ap.add_argument("method", choices=METHODS)
        ap.add_argument("file", type=Path)
        if argv[0] == "tune":
            ap.add_argument("--topics", **topics)
            ap.add_argument("--verbose", action="store_true",
                            help="also print the scores at every threshold of the grid")
        args = ap.parse_args(argv[1:])
        (cmd_tune if argv[0] == "tune" else cmd_heldout)(args)
        return
    ap = argparse.ArgumentParser(
        prog="cluster_baselines.py",
        description="TF-IDF single-pass and average-link agglomerative story clustering baselines. "
                    "Also: `tune METHOD FILE` and `heldout METHOD FILE`.")
    ap.add_argument("method", choices=METHODS)
    ap.add_argument("file", type=Path)
    ap.add_argument("--threshold", type=float,
                    help="cosine threshold (default: "
                         + ", ".join(f"{m} {t}" for m, t in DEFAULT_THRESHOLD.items()) + ")")
    ap.add_argument("--topics", **topics)
    cmd_cluster(ap.parse_args(argv))


if __name__ == "__main__":
    main()
