#!/usr/bin/env python3
"""Scores Parallax's story comparison (`parallax compare ID --json`) against hand-written gold.

Usage:
    python3 bench/compare/score.py --parallax PATH_TO_BINARY STORY_DIR... [--json] [--verbose]

A STORY_DIR is a folder holding one story's reports (one `.txt`/`.md` file per outlet, with front
matter giving `outlet`, `title` and `published`) and a `gold.json` (format in
fixtures/compare/dev/README.md). A folder without `gold.json` is searched for story folders below it.

For each story the reports are ingested into a fresh temporary data directory, the story list is read
(reports split over several stories are reported as `clustered: n stories` and every story is
compared, results merged), each article's sentences are read to resolve the gold's substrings, and
`compare --json` is scored:

  align    pairs of sentences from different outlets: gold = pairs sharing a fact, predicted = pairs
           in one statement; precision, recall, F1
  status   per gold fact, the statement holding most of its sentences has the gold status (ties go to
           the statement holding more of the fact's outlets, then to the one whose sentences are most
           the fact's, then to the first); a fact none of whose sentences is in a statement is wrong
  conflict recall: gold conflict facts matched by a predicted conflict whose value sentences are
           the fact's sentences from >= 2 of its outlets; precision: predicted conflicts matching one;
           recall per slot
  hedged   (outlet, sentence) pairs: predicted = a statement's sentences whose article it lists as hedged
  quotes   rendition recall (speaker name contains the gold surname, same outlet, overlapping text),
           rendition precision, channel accuracy among found renditions, same-remark pair recall and
           precision (pairs absent from the output give recall 0)

Totals are micro-averaged over stories. Gold substrings that match no sentence or several, and body
sentences no fact covers, are reported as warnings on stderr. Exits 2 when the binary fails (a story
that cannot be ingested or compared), 1 on bad arguments, 0 otherwise, whatever the scores.
"""

import argparse
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict

REPORT_EXTS = ('.txt', '.md')
STATUSES = ('corroborated', 'single', 'conflict')
SLOTS = ('count', 'magnitude', 'percent', 'date', 'place', 'participants', 'negation')

QUOTE_MAP = str.maketrans({
    '\u201c': '"', '\u201d': '"', '\u201e': '"', '\u201f': '"', '\u00ab': '"', '\u00bb': '"',
    '\u2018': "'", '\u2019': "'", '\u201a': "'", '\u201b': "'",
})


class ToolError(Exception):
    pass


def norm(text):
    """Curly quotes made straight, runs of whitespace made one space."""
    return re.sub(r'\s+', ' ', (text or '').translate(QUOTE_MAP)).strip()


def words(text):
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", norm(text).lower())


def contains_seq(hay, needle):
    n = len(needle)
    return n > 0 and any(hay[i:i + n] == needle for i in range(len(hay) - n + 1))


def text_overlap(a, b):
    """How much two quoted texts overlap: 1 when one's words run inside the other's, else the share
    of the shorter one's words that the other has."""
    wa, wb = words(a), words(b)
    if not wa or not wb:
        return 0.0
    if contains_seq(wa, wb) or contains_seq(wb, wa):
        return 1.0
    common = sum((Counter(wa) & Counter(wb)).values())
    return common / min(len(wa), len(wb))


def ratio(num, den):
    return num / den if den else None


def f1(p, r):
    if p is None or r is None or p + r == 0:
        return None if p is None or r is None else 0.0
    return 2 * p * r / (p + r)


def fmt(x):
    return '  -  ' if x is None else f'{x:5.2f}'


# ---------------------------------------------------------------------------------------------
# Story files


def front_matter(path):
    """The `key: value` fields of a report's front matter."""
    with open(path, encoding='utf-8') as fh:
        text = fh.read()
    fields = {}
    lines = text.splitlines()
    if lines and lines[0].strip() == '---':
        for line in lines[1:]:
            if line.strip() == '---':
                break
            key, sep, value = line.partition(':')
            if sep:
                fields[key.strip().lower()] = value.strip().strip('"\'')
    return fields


def find_story_dirs(paths):
    found = []
    for p in paths:
        p = os.path.abspath(p)
        if not os.path.isdir(p):
            raise SystemExit(f'score.py: not a folder: {p}')
        if os.path.isfile(os.path.join(p, 'gold.json')):
            found.append(p)
            continue
        for root, dirs, files in os.walk(p):
            dirs.sort()
            if 'gold.json' in files:
                found.append(root)
    if not found:
        raise SystemExit('score.py: no story folder with a gold.json found')
    return found


def report_files(story_dir):
    return sorted(
        os.path.join(story_dir, f) for f in os.listdir(story_dir)
        if f.endswith(REPORT_EXTS) and f.lower() != 'readme.md'
        and os.path.isfile(os.path.join(story_dir, f)))


# ---------------------------------------------------------------------------------------------
# Running parallax


def run(binary, data, *args):
    cmd = [binary, '--data', data, *args]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise ToolError(f'{" ".join(cmd)}: {err}')
    if proc.returncode != 0:
        raise ToolError(f'{" ".join(cmd)} exited with {proc.returncode}: {proc.stderr.strip()[-800:]}')
    return proc.stdout


def run_json(binary, data, *args):
    out = run(binary, data, *args)
    try:
        return json.loads(out)
    except json.JSONDecodeError as err:
        raise ToolError(f'{" ".join(args)}: output is not JSON ({err}): {out[:300]}')


# ---------------------------------------------------------------------------------------------
# Scoring one story


class Story:
    def __init__(self, story_dir, binary, warn, keep=False):
        self.dir = story_dir
        self.name = os.path.relpath(story_dir, os.getcwd()) if story_dir.startswith(os.getcwd()) else story_dir
        self.slug = os.path.basename(story_dir.rstrip('/'))
        self.binary = binary
        self.warn_fn = warn
        self.keep = keep
        with open(os.path.join(story_dir, 'gold.json'), encoding='utf-8') as fh:
            self.gold = json.load(fh)
        self.files = report_files(story_dir)
        self.stem_of_outlet = {}
        self.has_published = {}
        for path in self.files:
            stem = os.path.splitext(os.path.basename(path))[0]
            fm = front_matter(path)
            outlet = fm.get('outlet')
            if not outlet:
                self.warn(f'{os.path.basename(path)}: no outlet in front matter')
                continue
            if outlet.lower() in self.stem_of_outlet:
                self.warn(f'outlet {outlet!r} named by two files')
            self.stem_of_outlet[outlet.lower()] = stem
            self.has_published[path] = 'published' in fm
        self.check_gold_shape()

    def warn(self, msg):
        self.warn_fn(f'{self.slug}: {msg}')

    def check_gold_shape(self):
        stems = set(self.stem_of_outlet.values())
        ids = Counter(f.get('id') for f in self.gold.get('facts', []))
        for fid, n in ids.items():
            if n > 1:
                self.warn(f'gold: fact id {fid!r} used {n} times')
        for f in self.gold.get('facts', []):
            status = f.get('status')
            outs = set(f.get('sentences', {}))
            if status not in STATUSES:
                self.warn(f'gold: fact {f.get("id")}: status {status!r}')
            if status == 'single' and len(outs) != 1:
                self.warn(f'gold: fact {f.get("id")}: single but {len(outs)} outlets')
            if status in ('corroborated', 'conflict') and len(outs) < 2:
                self.warn(f'gold: fact {f.get("id")}: {status} but {len(outs)} outlet(s)')
            if status == 'conflict' and f.get('slot') not in SLOTS:
                self.warn(f'gold: fact {f.get("id")}: slot {f.get("slot")!r}')
            for o in outs - stems:
                self.warn(f'gold: fact {f.get("id")}: no report file {o}')
        for o in set(self.gold.get('hedged', {})) - stems:
            self.warn(f'gold: hedged: no report file {o}')
        for q in self.gold.get('quotes', []):
            for r in q.get('renditions', []):
                if r.get('outlet') not in stems:
                    self.warn(f'gold: quote of {q.get("speaker")}: no report file {r.get("outlet")}')

    # -- running the tool -------------------------------------------------------------------------

    def run_tool(self):
        tmp = tempfile.mkdtemp(prefix='parallax-score-')
        try:
            self._run_tool(tmp)
        finally:
            if self.keep:
                self.warn_fn(f'{self.slug}: data kept in {tmp}')
            else:
                shutil.rmtree(tmp, ignore_errors=True)

    def _run_tool(self, tmp):
        data = os.path.join(tmp, 'data')
        # The reports are copied to a folder of their own: ingesting the story folder itself would
        # also read gold.json as a JSON report.
        reports = os.path.join(tmp, 'reports', self.slug)
        os.makedirs(reports)
        for path in self.files:
            shutil.copy(path, reports)
        published = self.gold.get('published')
        if all(self.has_published.get(p, False) for p in self.files) or not published:
            run(self.binary, data, 'ingest', reports)
        else:
            dated = [os.path.join(reports, os.path.basename(p)) for p in self.files if self.has_published.get(p)]
            undated = [os.path.join(reports, os.path.basename(p)) for p in self.files if not self.has_published.get(p)]
            if dated:
                run(self.binary, data, 'ingest', *dated)
            run(self.binary, data, 'ingest', '--published', published, *undated)
        stories = run_json(self.binary, data, 'stories', '--json')
        stories = [s for s in stories if s.get('articles')]
        stories.sort(key=lambda s: -len(s['articles']))
        self.n_stories = len(stories)
        self.stem_of_article = {}
        for s in stories:
            for a in s['articles']:
                stem = self.stem_of_outlet.get((a.get('outlet') or '').lower())
                if stem is None:
                    self.warn(f'article {a["id"]}: outlet {a.get("outlet")!r} matches no report file')
                else:
                    self.stem_of_article[a['id']] = stem
        missing = set(self.stem_of_outlet.values()) - set(self.stem_of_article.values())
        for stem in sorted(missing):
            self.warn(f'report {stem} is in no story (rejected or duplicate?)')
        self.sentences = {}  # article id -> list of {"text", "part"}
        for aid in self.stem_of_article:
            art = run_json(self.binary, data, 'article', str(aid), '--json')
            self.sentences[aid] = art.get('analysis', {}).get('sentences', [])
        self.compares = [run_json(self.binary, data, 'compare', str(s['id']), '--json') for s in stories]
        for c in self.compares:
            for a in c.get('articles', []):
                if a['id'] not in self.stem_of_article:
                    stem = self.stem_of_outlet.get((a.get('outlet') or '').lower())
                    if stem:
                        self.stem_of_article[a['id']] = stem

    # -- resolving sentences -----------------------------------------------------------------------

    def resolve_gold(self):
        """Maps each gold substring to the (article, index) of the one body sentence holding it."""
        self.article_of_stem = {}
        for aid, stem in self.stem_of_article.items():
            self.article_of_stem.setdefault(stem, aid)
        self.body = {}  # (aid, idx) -> normalised text
        for aid, sents in self.sentences.items():
            for i, s in enumerate(sents):
                part = s.get('part')
                if isinstance(part, dict) and 'body' in part:
                    self.body[(aid, i)] = norm(s.get('text'))
        self.unresolved = 0
        cache = {}

        def resolve(stem, sub):
            if (stem, sub) in cache:
                return cache[(stem, sub)]
            aid = self.article_of_stem.get(stem)
            key = None
            if aid is None:
                self.warn(f'gold substring {sub!r}: no article for {stem}')
            else:
                nsub = norm(sub)
                hits = [k for k, t in self.body.items() if k[0] == aid and nsub in t]
                if not hits:
                    self.warn(f'gold substring {sub!r} ({stem}) matches no body sentence')
                    self.unresolved += 1
                else:
                    if len(hits) > 1:
                        self.warn(f'gold substring {sub!r} ({stem}) matches {len(hits)} sentences: '
                                  + ' | '.join(self.body[h] for h in hits))
                    key = hits[0]
            cache[(stem, sub)] = key
            return key

        self.fact_keys = {}   # fact id -> set of keys
        self.fact_of = defaultdict(set)
        for f in self.gold.get('facts', []):
            keys = set()
            for stem, subs in f.get('sentences', {}).items():
                for sub in subs:
                    k = resolve(stem, sub)
                    if k:
                        keys.add(k)
                        self.fact_of[k].add(f['id'])
            self.fact_keys[f['id']] = keys
        self.gold_hedged = set()
        for stem, subs in self.gold.get('hedged', {}).items():
            for sub in subs:
                k = resolve(stem, sub)
                if k:
                    self.gold_hedged.add(k)
        self.universe = set(self.fact_of)
        for k in sorted(set(self.body) - self.universe):
            self.warn(f'body sentence in no gold fact ({self.stem_of_article.get(k[0])} #{k[1]}): {self.body[k]}')

    def key_of(self, s):
        """The (article, index) of an output sentence, checked against the article's sentences."""
        aid, idx = s.get('article'), s.get('index', s.get('sentence'))
        text = norm(s.get('text'))
        sents = self.sentences.get(aid)
        if sents is None:
            return None
        if isinstance(idx, int) and 0 <= idx < len(sents) and (not text or norm(sents[idx].get('text')) == text):
            return (aid, idx)
        for i, t in enumerate(sents):
            if norm(t.get('text')) == text:
                return (aid, i)
        return None

    # -- metrics --------------------------------------------------------------------------------

    def score(self):
        self.resolve_gold()
        statements = []
        for c in self.compares:
            for st in c.get('statements', []):
                keys = []
                for s in st.get('sentences', []):
                    k = self.key_of(s)
                    if k is None:
                        self.warn(f'output sentence not found in article {s.get("article")}: {s.get("text")!r}')
                    elif k not in keys:
                        keys.append(k)
                statements.append({'status': st.get('status'), 'keys': keys,
                                   'hedged': set(st.get('hedged') or [])})
        stem = self.stem_of_article.get
        res = {'story': self.slug, 'path': self.dir, 'articles': len(self.stem_of_article),
               'reports': len(self.files), 'clustered': self.n_stories,
               'unresolved_gold': self.unresolved}

        # alignment
        gold_pairs = set()
        for keys in self.fact_keys.values():
            for a, b in itertools.combinations(sorted(keys), 2):
                if stem(a[0]) != stem(b[0]):
                    gold_pairs.add((a, b))
        pred_pairs = set()
        for st in statements:
            ks = sorted(k for k in st['keys'] if k in self.universe)
            for a, b in itertools.combinations(ks, 2):
                if stem(a[0]) != stem(b[0]):
                    pred_pairs.add((a, b))
        tp = len(gold_pairs & pred_pairs)
        res['align'] = {'tp': tp, 'pred': len(pred_pairs), 'gold': len(gold_pairs)}
        text = lambda k: self.body.get(k, '?')
        res['missed_pairs'] = [(text(a), text(b)) for a, b in sorted(gold_pairs - pred_pairs)]
        res['wrong_pairs'] = [(text(a), text(b)) for a, b in sorted(pred_pairs - gold_pairs)]

        # status
        per_fact = []
        confusion = Counter()
        for f in self.gold.get('facts', []):
            keys = self.fact_keys.get(f['id'], set())
            best, best_rank = None, None
            for i, st in enumerate(statements):
                held = [k for k in st['keys'] if k in keys]
                if not held:
                    continue
                in_gold = [k for k in st['keys'] if k in self.universe]
                purity = len(held) / len(in_gold)
                rank = (len(held), len({stem(k[0]) for k in held}), purity, -i)
                if best_rank is None or rank > best_rank:
                    best, best_rank = st, rank
            pred = best['status'] if best else 'missing'
            confusion[(f['status'], pred)] += 1
            per_fact.append({'id': f['id'], 'gold': f['status'], 'pred': pred, 'ok': pred == f['status']})
        res['status'] = {'correct': sum(p['ok'] for p in per_fact), 'facts': len(per_fact)}
        res['status_confusion'] = {f'{g}->{p}': n for (g, p), n in sorted(confusion.items())}
        res['facts'] = per_fact

        # conflicts
        pred_conflicts = []
        for c in self.compares:
            for conf in c.get('conflicts', []):
                keys = set()
                for v in conf.get('values', []):
                    s = v.get('sentence')
                    k = self.key_of(s) if s else None
                    if k:
                        keys.add(k)
                pred_conflicts.append({'about': conf.get('about'), 'slot': conf.get('slot'), 'keys': keys})
        gold_conflicts = [f for f in self.gold.get('facts', []) if f.get('status') == 'conflict']

        def matches(pc, f):
            hit = pc['keys'] & self.fact_keys.get(f['id'], set())
            return len({stem(k[0]) for k in hit}) >= 2

        found = {f['id']: any(matches(pc, f) for pc in pred_conflicts) for f in gold_conflicts}
        slot_hits = defaultdict(lambda: [0, 0])
        for f in gold_conflicts:
            slot_hits[f.get('slot')][1] += 1
            slot_hits[f.get('slot')][0] += found[f['id']]
        res['conflicts'] = {
            'found': sum(found.values()), 'gold': len(gold_conflicts),
            'pred_matching': sum(any(matches(pc, f) for f in gold_conflicts) for pc in pred_conflicts),
            'pred': len(pred_conflicts),
            'slots': {s: {'found': h[0], 'gold': h[1]} for s, h in sorted(slot_hits.items())},
            'missed': [f['id'] for f in gold_conflicts if not found[f['id']]],
        }

        # hedged
        pred_hedged = set()
        for st in statements:
            for k in st['keys']:
                if k in self.universe and k[0] in st['hedged']:
                    pred_hedged.add(k)
        res['hedged'] = {'tp': len(pred_hedged & self.gold_hedged), 'pred': len(pred_hedged),
                         'gold': len(self.gold_hedged)}

        res['quotes'] = self.score_quotes()
        return res

    def score_quotes(self):
        stem = self.stem_of_article.get
        groups = []  # predicted quote groups, across compared stories
        any_pairs_field = False
        for c in self.compares:
            for q in c.get('quotes', []):
                if 'same_remarks' in q:
                    any_pairs_field = True
                groups.append(q)
        pred_rends = {}  # (group, rendition) -> rendition
        for gi, q in enumerate(groups):
            for ri, r in enumerate(q.get('renditions', [])):
                pred_rends[(gi, ri)] = r
        gold_quotes = self.gold.get('quotes', [])
        # Candidate matches: (overlap, gold (qi, ri), pred (gi, ri)); then greedy one-to-one.
        cands = []
        for qi, gq in enumerate(gold_quotes):
            surname = (gq.get('speaker') or '').split()[-1].lower() if gq.get('speaker') else ''
            for ri, gr in enumerate(gq.get('renditions', [])):
                for gi, pq in enumerate(groups):
                    if not surname or surname not in (pq.get('speaker') or '').lower():
                        continue
                    for pi, pr in enumerate(pq.get('renditions', [])):
                        if stem(pr.get('article')) != gr.get('outlet'):
                            continue
                        ov = text_overlap(gr.get('text', ''), pr.get('text', ''))
                        if ov >= 0.5:
                            cands.append((ov, (qi, ri), (gi, pi)))
        cands.sort(key=lambda c: -c[0])
        g2p, p2g = {}, {}
        for ov, g, p in cands:
            if g not in g2p and p not in p2g:
                g2p[g] = p
                p2g[p] = g
        n_gold = sum(len(q.get('renditions', [])) for q in gold_quotes)
        chan_ok = 0
        missed = []
        for qi, gq in enumerate(gold_quotes):
            for ri, gr in enumerate(gq.get('renditions', [])):
                p = g2p.get((qi, ri))
                if p is None:
                    missed.append(f'{gq.get("speaker")} / {gr.get("outlet")}: {gr.get("text")}')
                    continue
                gc, pc = norm(gr.get('channel') or '').lower(), norm(pred_rends[p].get('channel') or '').lower()
                if (not gc and not pc) or (gc and pc and (gc in pc or pc in gc)):
                    chan_ok += 1
        # same-remark pairs
        gold_pairs = {}
        for qi, gq in enumerate(gold_quotes):
            for pair in gq.get('same_remarks', []):
                a, b = sorted(pair[:2])
                gold_pairs[(qi, a, b)] = pair[2] if len(pair) > 2 else None
        pair_tp = kind_ok = n_pred_pairs = 0
        for gi, pq in enumerate(groups):
            for sr in pq.get('same_remarks') or []:
                rs = sr.get('renditions') or []
                if len(rs) != 2:
                    continue
                n_pred_pairs += 1
                ga, gb = p2g.get((gi, rs[0])), p2g.get((gi, rs[1]))
                if ga is None or gb is None or ga[0] != gb[0]:
                    continue
                key = (ga[0], *sorted((ga[1], gb[1])))
                if key in gold_pairs:
                    pair_tp += 1
                    kind_ok += gold_pairs[key] == sr.get('kind')
        return {'found': len(g2p), 'gold': n_gold, 'pred': len(pred_rends),
                'pred_matching': len(p2g), 'channel_ok': chan_ok,
                'pairs_tp': pair_tp, 'pairs_pred': n_pred_pairs, 'pairs_gold': len(gold_pairs),
                'pairs_kind_ok': kind_ok, 'same_remarks_in_output': any_pairs_field,
                'missed': missed}


# ---------------------------------------------------------------------------------------------
# Summaries


def summarise(r):
    """Rates from the counts of one story or of the total."""
    a = r['align']
    ap, ar = ratio(a['tp'], a['pred']), ratio(a['tp'], a['gold'])
    c, h, q = r['conflicts'], r['hedged'], r['quotes']
    hp, hr = ratio(h['tp'], h['pred']), ratio(h['tp'], h['gold'])
    return {
        'align_p': ap, 'align_r': ar, 'align_f1': f1(ap, ar),
        'status_acc': ratio(r['status']['correct'], r['status']['facts']),
        'conflict_r': ratio(c['found'], c['gold']), 'conflict_p': ratio(c['pred_matching'], c['pred']),
        'conflict_slot_r': {s: ratio(v['found'], v['gold']) for s, v in c['slots'].items()},
        'hedged_p': hp, 'hedged_r': hr, 'hedged_f1': f1(hp, hr),
        'quote_r': ratio(q['found'], q['gold']), 'quote_p': ratio(q['pred_matching'], q['pred']),
        'channel_acc': ratio(q['channel_ok'], q['found']),
        'pairs_r': ratio(q['pairs_tp'], q['pairs_gold']) if q['pairs_gold'] else None,
        'pairs_p': ratio(q['pairs_tp'], q['pairs_pred']),
        'pairs_kind_acc': ratio(q['pairs_kind_ok'], q['pairs_tp']),
    }


def add_counts(total, r):
    for key in ('align', 'status', 'hedged'):
        for k, v in r[key].items():
            total[key][k] = total[key].get(k, 0) + v
    for k in ('found', 'gold', 'pred_matching', 'pred'):
        total['conflicts'][k] = total['conflicts'].get(k, 0) + r['conflicts'][k]
    for s, v in r['conflicts']['slots'].items():
        t = total['conflicts']['slots'].setdefault(s, {'found': 0, 'gold': 0})
        t['found'] += v['found']
        t['gold'] += v['gold']
    for k, v in r['quotes'].items():
        if isinstance(v, bool) or isinstance(v, list):
            continue
        total['quotes'][k] = total['quotes'].get(k, 0) + v
    for k, v in r['status_confusion'].items():
        total['status_confusion'][k] = total['status_confusion'].get(k, 0) + v
    total['articles'] += r['articles']
    total['reports'] += r['reports']
    total['split_stories'] += r['clustered'] > 1


def empty_total():
    return {'align': {}, 'status': {}, 'hedged': {}, 'conflicts': {'slots': {}}, 'quotes': {},
            'status_confusion': {}, 'articles': 0, 'reports': 0, 'split_stories': 0}


def table(rows, total):
    head = (f'{"story":<30} {"art":>3} {"clu":>3} | {"alignP":>5} {"alignR":>5} {"alignF":>5} | '
            f'{"stat":>5} | {"cnfR":>5} {"cnfP":>5} | {"hdgP":>5} {"hdgR":>5} | '
            f'{"qteR":>5} {"qteP":>5} {"chan":>5} {"pairR":>5} {"pairP":>5}')
    lines = [head, '-' * len(head)]

    def line(name, r, s):
        clu = str(r['clustered']) if 'clustered' in r else '-'
        lines.append(
            f'{name[:30]:<30} {r["articles"]:>3} {clu:>3} | {fmt(s["align_p"])} {fmt(s["align_r"])} '
            f'{fmt(s["align_f1"])} | {fmt(s["status_acc"])} | {fmt(s["conflict_r"])} {fmt(s["conflict_p"])} | '
            f'{fmt(s["hedged_p"])} {fmt(s["hedged_r"])} | {fmt(s["quote_r"])} {fmt(s["quote_p"])} '
            f'{fmt(s["channel_acc"])} {fmt(s["pairs_r"])} {fmt(s["pairs_p"])}')

    for r in rows:
        line(r['story'], r, summarise(r))
    lines.append('-' * len(head))
    line('TOTAL (micro)', total, summarise(total))
    s = summarise(total)
    slots = '  '.join(f'{k} {total["conflicts"]["slots"][k]["found"]}/{total["conflicts"]["slots"][k]["gold"]}'
                      for k in sorted(total['conflicts']['slots']))
    lines.append(f'conflict recall by slot: {slots}')
    conf = '  '.join(f'{k} {v}' for k, v in sorted(total['status_confusion'].items()))
    lines.append(f'status gold->predicted: {conf}')
    a, h, q = total['align'], total['hedged'], total['quotes']
    lines.append(f'counts: align pairs {a["tp"]} right of {a["pred"]} predicted, {a["gold"]} gold; '
                 f'hedged {h["tp"]}/{h["pred"]} predicted, {h["gold"]} gold; '
                 f'quote renditions {q["found"]}/{q["gold"]} found, {q["pred"]} predicted; '
                 f'same-remark pairs {q["pairs_tp"]}/{q["pairs_pred"]} predicted, {q["pairs_gold"]} gold')
    split = [r['story'] for r in rows if r['clustered'] > 1]
    if split:
        lines.append('clustered into several stories: '
                     + ', '.join(f'{r["story"]} ({r["clustered"]} stories)' for r in rows if r['clustered'] > 1))
    return '\n'.join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--parallax', required=True, help='path to the parallax binary')
    ap.add_argument('--json', action='store_true', help='print a JSON summary instead of the table')
    ap.add_argument('--verbose', '-v', action='store_true',
                    help='also list, per story, facts with the wrong status, missed conflicts and quotes')
    ap.add_argument('--keep', action='store_true', help='keep the temporary data directories')
    ap.add_argument('stories', nargs='+', metavar='STORY_DIR')
    args = ap.parse_args(argv)
    binary = os.path.abspath(args.parallax)
    if not os.access(binary, os.X_OK):
        print(f'score.py: not an executable: {binary}', file=sys.stderr)
        return 1
    warnings = []

    def warn(msg):
        warnings.append(msg)
        print(f'warning: {msg}', file=sys.stderr)

    rows, errors = [], []
    total = empty_total()
    for d in find_story_dirs(args.stories):
        try:
            st = Story(d, binary, warn, keep=args.keep)
            st.run_tool()
            r = st.score()
        except ToolError as err:
            errors.append(f'{os.path.basename(d)}: {err}')
            print(f'error: {os.path.basename(d)}: {err}', file=sys.stderr)
            continue
        except (json.JSONDecodeError, OSError) as err:
            errors.append(f'{os.path.basename(d)}: {err}')
            print(f'error: {os.path.basename(d)}: {err}', file=sys.stderr)
            continue
        rows.append(r)
        add_counts(total, r)
        if r['clustered'] > 1:
            print(f'note: {r["story"]}: clustered: {r["clustered"]} stories', file=sys.stderr)
    total['clustered'] = None
    if args.json:
        out = {'stories': [dict(r, rates=summarise(r)) for r in rows],
               'total': dict(total, rates=summarise(total)),
               'warnings': warnings, 'errors': errors}
        print(json.dumps(out, indent=2))
    else:
        if rows:
            total_row = dict(total)
            total_row.pop('clustered')
            print(table(rows, total_row))
        if args.verbose:
            for r in rows:
                wrong = [f'{f["id"]} ({f["gold"]}->{f["pred"]})' for f in r['facts'] if not f['ok']]
                print(f'\n{r["story"]}:')
                print(f'  wrong status: {", ".join(wrong) or "none"}')
                print(f'  missed conflicts: {", ".join(r["conflicts"]["missed"]) or "none"}')
                for m in r['quotes']['missed']:
                    print(f'  missed quote: {m}')
                for a, b in r.get('missed_pairs', []):
                    print(f'  missed pair: {a[:70]!r} ~ {b[:70]!r}')
                for a, b in r.get('wrong_pairs', []):
                    print(f'  wrong pair: {a[:70]!r} ~ {b[:70]!r}')
        if warnings:
            print(f'\n{len(warnings)} warning(s) (see stderr)')
        if errors:
            print(f'{len(errors)} story(ies) failed: ' + '; '.join(errors))
    return 2 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
