#!/usr/bin/env node
// Walks the Parallax web site in headless Chromium the way a reader would, on a phone and on a desktop,
// and checks every page it reaches: HTTP status, a heading, no sideways scrolling, a screenshot and an
// accessibility audit with axe-core. Also checks the styled 404 page, the site with JavaScript turned
// off, and dark mode.
//
//   node site.mjs BASE_URL ARTIFACTS_DIR
//
// BASE_URL is where the site is served (http://127.0.0.1:PORT); screenshots and report.txt go to
// ARTIFACTS_DIR. Prints one line per check (PASS, FAIL or SKIP) and exits 0 only when every check
// passed. Nothing but BASE_URL's origin is ever requested: any other request is blocked and noted.
//
// Environment: PARALLAX_CHROMIUM (default /usr/bin/chromium), PARALLAX_BROWSER_TIMEOUT_SECS (whole run,
// default 300).

import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const AXE_SCRIPT = path.join(HERE, 'node_modules', 'axe-core', 'axe.min.js');
const CHROMIUM = process.env.PARALLAX_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];
/** Longest any single browser action (navigation, click, screenshot) may take. */
const ACTION_MS = 15_000;
/** Longest one step (load a page and run all its checks) may take. */
const STEP_MS = 45_000;
/** Longest the whole run may take. */
const RUN_MS = (Number(process.env.PARALLAX_BROWSER_TIMEOUT_SECS) || 300) * 1000;

const VIEWPORTS = [
  {
    name: 'phone',
    options: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
  },
  { name: 'desktop', options: { viewport: { width: 1366, height: 900 }, deviceScaleFactor: 1 } },
];

const STORY_LINK = 'main a[href^="/story/"]';
const ARTICLE_LINK = 'main a[href^="/article/"]';
const ENTITY_LINK = 'a[href^="/entity/"]';
const SEARCH_INPUT = 'form[role="search"] input[name="q"]';
const RESULT_LINK = 'main a[href^="/article/"], main a[href^="/story/"]';

// ---------------------------------------------------------------------------------------------------
// Reporting

const lines = [];
const counts = { pass: 0, fail: 0, skip: 0 };

function say(line) {
  lines.push(line);
  console.log(line);
}

/** Records one check. `details` are extra lines printed under it (indented). */
function check(ok, where, what, details = []) {
  counts[ok ? 'pass' : 'fail'] += 1;
  say(`${ok ? 'PASS' : 'FAIL'}  ${where.padEnd(22)} ${what}`);
  for (const d of details) say(`        ${d}`);
  return ok;
}

function skip(where, what) {
  counts.skip += 1;
  say(`SKIP  ${where.padEnd(22)} ${what}`);
}

function note(where, what) {
  say(`note  ${where.padEnd(22)} ${what}`);
}

async function writeReport(artifacts) {
  if (!artifacts) return;
  try {
    await writeFile(path.join(artifacts, 'report.txt'), lines.join('\n') + '\n');
  } catch {
    // The report is a convenience; the output above is what counts.
  }
}

function summary() {
  const verdict = counts.fail === 0 && counts.skip === 0 ? 'ALL PASSED' : 'FAILED';
  return `site checks ${verdict}: ${counts.pass} ok, ${counts.fail} failing, ${counts.skip} not run`;
}

function message(error) {
  return String(error?.message ?? error).split('\n')[0];
}

/** Runs `work`, failing with a clear message when it takes longer than `ms`. */
function withTimeout(work, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------------------------------
// Page checks

/**
 * Follows a navigation started by `action` (a click, a key press, going back) and returns the main
 * document's response (the last one, after any redirects), or null when there was none.
 */
async function navigate(page, action) {
  const responses = [];
  const onResponse = (response) => {
    const request = response.request();
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) responses.push(response);
  };
  page.on('response', onResponse);
  try {
    await Promise.all([
      page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() }),
      action(),
    ]);
    await page.waitForLoadState('load');
  } finally {
    page.off('response', onResponse);
  }
  const final = responses.filter((r) => r.status() < 300 || r.status() >= 400);
  return final.at(-1) ?? responses.at(-1) ?? null;
}

/** Measures horizontal overflow and names the elements that stick out past the viewport's right edge. */
async function measureOverflow(page) {
  return page.evaluate(() => {
    const describe = (el) => {
      let d = el.tagName.toLowerCase();
      if (el.id) d += `#${el.id}`;
      for (const c of el.classList) d += `.${c}`;
      return d;
    };
    // The element with its nearest named ancestor, for a selector one can find in the templates.
    const where = (el) => {
      let up = el.parentElement;
      while (up && up !== document.body && !up.id && up.classList.length === 0) up = up.parentElement;
      return up && up !== document.body && up !== el.parentElement
        ? `${describe(up)} … ${describe(el)}`
        : up && up !== document.body
          ? `${describe(up)} > ${describe(el)}`
          : describe(el);
    };
    const root = document.documentElement;
    const limit = Math.min(window.innerWidth, root.clientWidth);
    const result = { scrollWidth: root.scrollWidth, limit, culprits: [] };
    if (root.scrollWidth <= limit + 1) return result;
    // Content that spills out of a box that does not scroll (overflow-x: visible) past the right edge
    // is where a rule is missing; elements whose own box reaches past the edge show what is too wide.
    const spills = new Map();
    const boxes = new Map();
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0) continue;
      if (r.right > limit + 1) {
        boxes.set(el, `${where(el)} reaches x=${Math.round(r.right)}`);
      } else if (
        el.scrollWidth > el.clientWidth + 1 &&
        getComputedStyle(el).overflowX === 'visible' &&
        r.left + el.scrollWidth > limit + 1
      ) {
        spills.set(
          el,
          `${where(el)} is ${Math.round(r.width)}px wide but holds ${el.scrollWidth}px of content ` +
            'and does not scroll (overflow-x: visible)',
        );
      }
    }
    // Name the innermost ones of each kind: those with no element of the same kind inside.
    const innermost = (found, most) =>
      [...found]
        .filter(([el]) => ![...el.querySelectorAll('*')].some((inner) => found.has(inner)))
        .slice(0, most)
        .map(([, why]) => why);
    result.culprits = [...innermost(spills, 3), ...innermost(boxes, 3)];
    return result;
  });
}

/** Injects axe-core, audits the whole document and returns its violations. */
async function audit(page) {
  await page.addScriptTag({ path: AXE_SCRIPT });
  return page.evaluate(async () => {
    const results = await window.axe.run(document, { resultTypes: ['violations'] });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({
        target: n.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : t)).join(' '),
        why: (n.failureSummary || '')
          .split('\n')
          .map((s) => s.trim())
          .filter((s) => s && !/^Fix (any|all) of the following:?$/.test(s))
          .join(' / '),
      })),
    }));
  });
}

function violationLines(violations) {
  const out = [];
  for (const v of violations) {
    out.push(`${v.id} (${v.impact}): ${v.help} — ${v.helpUrl}`);
    for (const n of v.nodes.slice(0, 6)) out.push(`    at ${n.target}${n.why ? `  — ${n.why}` : ''}`);
    if (v.nodes.length > 6) out.push(`    ... and ${v.nodes.length - 6} more`);
  }
  return out;
}

/**
 * The checks every page gets. `expect` lists extra selectors that must match: {what, selector, min}.
 * With `axe: false` (JavaScript off) the audit is left out.
 */
async function checkPage(ctx, where, step, response, { status = 200, expect = [], axe = true } = {}) {
  const { page, artifacts, viewport } = ctx;
  const url = new URL(page.url());
  const shown = url.pathname + url.search;

  const got = response ? response.status() : null;
  check(got === status, where, `HTTP ${got ?? '(no response)'} for ${shown}${got === status ? '' : `, expected ${status}`}`);

  const headings = await page.locator('h1').allTextContents();
  const h1 = (headings[0] ?? '').replace(/\s+/g, ' ').trim();
  check(headings.length > 0 && h1 !== '', where, headings.length ? `<h1> "${h1.slice(0, 70)}"` : 'no <h1> on the page');

  for (const { what, selector, min = 1 } of expect) {
    const n = await page.locator(selector).count();
    check(n >= min, where, `${what}: ${n} found${n >= min ? '' : ` (need ${min}; selector ${selector})`}`);
  }

  const o = await measureOverflow(page);
  const fits = o.scrollWidth <= o.limit + 1;
  check(
    fits,
    where,
    fits
      ? `no horizontal scrolling (content ${o.scrollWidth}px, viewport ${o.limit}px)`
      : `scrolls sideways: content is ${o.scrollWidth}px wide, viewport ${o.limit}px`,
    o.culprits,
  );

  const errors = ctx.pageErrors.splice(0);
  check(errors.length === 0, where, errors.length ? `${errors.length} script error(s) in the page` : 'no script errors', errors);

  const shot = path.join(artifacts, `${viewport}-${step}.png`);
  await page.screenshot({ path: shot, fullPage: true, timeout: ACTION_MS });
  check(true, where, `screenshot ${path.basename(shot)}`);

  if (axe) {
    const violations = await audit(page);
    const blocking = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    const minor = violations.filter((v) => !blocking.includes(v));
    check(
      blocking.length === 0,
      where,
      blocking.length === 0
        ? 'axe: no serious or critical violations'
        : `axe: ${blocking.length} serious/critical violation(s)`,
      violationLines(blocking),
    );
    for (const v of minor) note(where, `axe ${v.impact}: ${v.id} (${v.nodes.length}×) — ${v.help}`);
  }
  return h1;
}

// ---------------------------------------------------------------------------------------------------
// The browser

/** A context that only reaches the site: every other request is blocked and listed once. */
async function openContext(browser, base, viewport, options, artifacts) {
  const context = await browser.newContext({ ...options, bypassCSP: true, reducedMotion: 'reduce' });
  context.setDefaultTimeout(ACTION_MS);
  context.setDefaultNavigationTimeout(ACTION_MS);
  const blocked = new Set();
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.origin === base.origin) return route.continue();
    blocked.add(url.origin);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  const ctx = { context, page, artifacts, viewport, blocked, pageErrors: [] };
  page.on('pageerror', (error) => ctx.pageErrors.push(message(error)));
  return ctx;
}

async function closeContext(ctx, where) {
  if (ctx.blocked.size) {
    note(where, `blocked requests to other sites (not loaded): ${[...ctx.blocked].sort().join(', ')}`);
  }
  await ctx.context.close().catch(() => {});
}

/** Runs one step with a time limit; a step that throws or times out is a failed check. */
async function step(where, work) {
  try {
    return await withTimeout(work(), STEP_MS, 'this step');
  } catch (error) {
    check(false, where, `step did not complete: ${message(error)}`);
    return undefined;
  }
}

/** The longest word of at least 5 letters in a title (the longest word of all when none is). */
function searchWord(title) {
  const words = title.match(/\p{L}+/gu) ?? [];
  const pick = (list) => list.reduce((best, w) => (w.length > best.length ? w : best), '');
  return pick(words.filter((w) => w.length >= 5)) || pick(words);
}

/** Types `word` into the header's search box and submits the form with Enter. */
async function search(page, word) {
  const input = page.locator(SEARCH_INPUT).first();
  if ((await input.count()) === 0) throw new Error(`no search box on the page (${SEARCH_INPUT})`);
  await input.fill(word);
  return navigate(page, () => input.press('Enter'));
}

/** Front page → story → article → search → back to the article → entity; then the 404 page. */
async function walk(browser, base, viewport, options, artifacts, found) {
  const ctx = await openContext(browser, base, viewport.name, options, artifacts);
  const { page } = ctx;
  const at = (step) => `[${viewport.name}] ${step}`;

  const storyHref = await step(at('front'), async () => {
    const response = await page.goto(new URL('/', base).href);
    await checkPage(ctx, at('front'), 'front', response, {
      expect: [{ what: 'story links in <main>', selector: STORY_LINK }],
    });
    return page.locator(STORY_LINK).first().getAttribute('href');
  });

  let articleHref;
  if (!storyHref) skip(at('story'), 'no story link on the front page to follow');
  else {
    articleHref = await step(at('story'), async () => {
      const response = await navigate(page, () => page.locator(STORY_LINK).first().click());
      await checkPage(ctx, at('story'), 'story', response, {
        expect: [{ what: 'links to reports', selector: ARTICLE_LINK }],
      });
      found.storyPath ??= new URL(page.url()).pathname;
      return page.locator(ARTICLE_LINK).first().getAttribute('href');
    });
  }

  let articleUrl;
  let title;
  if (!articleHref) skip(at('article'), 'no link to a report on the story page to follow');
  else {
    title = await step(at('article'), async () => {
      const response = await navigate(page, () => page.locator(ARTICLE_LINK).first().click());
      const h1 = await checkPage(ctx, at('article'), 'article', response, {
        expect: [{ what: 'search form in the header', selector: SEARCH_INPUT }],
      });
      articleUrl = page.url();
      return h1;
    });
  }

  const word = title ? searchWord(title) : '';
  if (!articleUrl) skip(at('search'), 'no article page to search from');
  else if (!word) skip(at('search'), `no word to search for in the title "${title}"`);
  else {
    found.word ??= word;
    await step(at('search'), async () => {
      note(at('search'), `searching for "${word}" (the longest word of the article's title)`);
      const response = await search(page, word);
      await checkPage(ctx, at('search'), 'search', response, {
        expect: [
          { what: 'result links in <main>', selector: RESULT_LINK },
          { what: '<mark> highlights in <main>', selector: 'main mark' },
        ],
      });
    });
  }

  if (!articleUrl) skip(at('entity'), 'no article page to find an entity link on');
  else {
    await step(at('entity'), async () => {
      if (page.url() !== articleUrl) await navigate(page, () => page.goBack());
      if (page.url() !== articleUrl) await page.goto(articleUrl);
      const link = page.locator(ENTITY_LINK).first();
      if ((await link.count()) === 0) {
        check(false, at('entity'), `no entity link (${ENTITY_LINK}) on the article page`);
        return;
      }
      const response = await navigate(page, () => link.click());
      await checkPage(ctx, at('entity'), 'entity', response, {
        expect: [{ what: 'story links in <main>', selector: STORY_LINK }],
      });
    });
  }

  // A story whose reports are dated draws a timeline of links: the newest dated report leads to one.
  await step(at('timeline'), async () => {
    await page.goto(new URL('/search?q=said&sort=newest', base).href);
    const link = page.locator(`main ${STORY_LINK.replace(/^main\s+/, '')}`).first();
    if ((await link.count()) === 0) {
      check(false, at('timeline'), 'no story link among the newest results');
      return;
    }
    const response = await navigate(page, () => link.click());
    await checkPage(ctx, at('timeline'), 'timeline', response, {
      expect: [{ what: 'a timeline with report links', selector: 'figure.timeline svg a' }],
    });
  });

  await step(at('outlets'), async () => {
    const response = await page.goto(new URL('/outlets', base).href);
    await checkPage(ctx, at('outlets'), 'outlets', response, {
      expect: [{ what: 'a framing chart', selector: 'figure.framing-chart svg' }],
    });
  });

  await step(at('not-found'), async () => {
    const response = await page.goto(new URL('/no-such-page-xyz', base).href);
    await checkPage(ctx, at('not-found'), 'not-found', response, {
      status: 404,
      expect: [{ what: "the site's header with a link home", selector: 'body header a[href="/"]' }],
    });
  });

  await closeContext(ctx, at('done'));
}

/** The site with JavaScript turned off: the front page, then a search submitted from its header. */
async function withoutScripts(browser, base, artifacts, found) {
  const options = { ...VIEWPORTS[1].options, javaScriptEnabled: false };
  const ctx = await openContext(browser, base, 'desktop', options, artifacts);
  const { page } = ctx;

  let word = found.word;
  await step('[no-js] front', async () => {
    const response = await page.goto(new URL('/', base).href);
    await checkPage(ctx, '[no-js] front', 'nojs-front', response, {
      axe: false,
      expect: [
        { what: 'story links in <main>', selector: STORY_LINK },
        { what: 'search form in the header', selector: SEARCH_INPUT },
      ],
    });
    if (!word) word = searchWord((await page.locator(STORY_LINK).first().textContent().catch(() => '')) ?? '');
  });

  if (!word) skip('[no-js] search', 'no word to search for');
  else {
    await step('[no-js] search', async () => {
      if (new URL(page.url()).pathname !== '/') await page.goto(new URL('/', base).href);
      const response = await search(page, word);
      const url = new URL(page.url());
      check(url.searchParams.get('q') === word, '[no-js] search', `the form went to ${url.pathname}${url.search}`);
      await checkPage(ctx, '[no-js] search', 'nojs-search', response, {
        axe: false,
        expect: [
          { what: 'result links in <main>', selector: RESULT_LINK },
          { what: '<mark> highlights in <main>', selector: 'main mark' },
        ],
      });
    });
  }
  await closeContext(ctx, '[no-js] done');
}

/** One page in dark mode: screenshot and audit (contrast differs from light mode). */
async function darkMode(browser, base, artifacts, found) {
  const options = { ...VIEWPORTS[1].options, colorScheme: 'dark' };
  const ctx = await openContext(browser, base, 'desktop', options, artifacts);
  const [name, target] = found.storyPath ? ['story', found.storyPath] : ['front', '/'];
  const where = `[dark] ${name}`;
  await step(where, async () => {
    const response = await ctx.page.goto(new URL(target, base).href);
    const colours = await ctx.page.evaluate(() => {
      const style = getComputedStyle(document.body);
      return `text ${style.color} on ${style.backgroundColor}`;
    });
    note(where, `page colours: ${colours}`);
    await checkPage(ctx, where, `dark-${name}`, response);
  });
  await closeContext(ctx, '[dark] done');
}

/** A reader signs up, comments on a story, replies to the comment and votes on it: forms only. */
async function readers(browser, base, artifacts, found) {
  const ctx = await openContext(browser, base, 'desktop', VIEWPORTS[1].options, artifacts);
  const { page } = ctx;
  const name = `reader-${Date.now().toString(36)}`;
  const comment = `A first comment from ${name}, with *emphasis*.`;
  const reply = `A reply from ${name}.`;
  const storyUrl = new URL(found.storyPath ?? '/', base).href;

  await step('[reader] sign up', async () => {
    let response = await page.goto(new URL('/signup', base).href);
    await checkPage(ctx, '[reader] sign up', 'signup', response);
    await page.fill('#name', name);
    await page.fill('#password', 'a long enough secret');
    await page.fill('#again', 'a long enough secret');
    await navigate(page, () => page.click('main form button[type="submit"]'));
    const account = await page.goto(new URL('/account', base).href);
    check(account?.status() === 200 && (await page.locator('h1').textContent())?.trim() === name, '[reader] sign up', `signed in as ${name}`);
  });

  await step('[reader] comment', async () => {
    await page.goto(storyUrl);
    await page.fill('#comment-source', comment);
    const response = await navigate(page, () => page.click('form[action="/comments"] button[type="submit"]'));
    const shown = page.locator('li.comment', { hasText: `A first comment from ${name}` });
    check((await shown.count()) === 1, '[reader] comment', 'the comment is shown once');
    check((await shown.locator('em').count()) === 1, '[reader] comment', 'its emphasis is rendered');
    await checkPage(ctx, '[reader] comment', 'comment', response);
  });

  await step('[reader] reply and vote', async () => {
    const mine = page.locator('li.comment', { hasText: `A first comment from ${name}` }).first();
    await mine.locator('summary', { hasText: 'Reply' }).first().click();
    await mine.locator('form[action="/comments"] textarea[name="source"]').first().fill(reply);
    await navigate(page, () => mine.locator('form[action="/comments"] button[type="submit"]').first().click());
    const nested = page.locator('li.comment li.comment', { hasText: reply });
    check((await nested.count()) === 1, '[reader] reply', 'the reply is shown inside the comment it answers');
    const parent = page.locator('li.comment', { hasText: `A first comment from ${name}` }).first();
    const voted = await navigate(page, () => parent.locator('button[name="value"][value="up"]').first().click());
    const after = page.locator('li.comment', { hasText: `A first comment from ${name}` }).first();
    const counts = (await after.locator('summary').first().textContent()) ?? '';
    check(/1 up, 0 down/.test(counts), '[reader] vote', `the vote counts: ${counts.replace(/\s+/g, ' ').trim()}`);
    const pressed = await after.locator('button[value="none"][aria-pressed="true"]').count();
    check(pressed === 1, '[reader] vote', 'the reader\'s vote is shown as pressed');
    await checkPage(ctx, '[reader] reply and vote', 'discussion', voted);
  });

  await closeContext(ctx, '[reader] done');
}

// ---------------------------------------------------------------------------------------------------

async function main() {
  const [baseArg, artifactsArg] = process.argv.slice(2);
  if (!baseArg || !artifactsArg) {
    console.error('usage: node site.mjs BASE_URL ARTIFACTS_DIR   (e.g. http://127.0.0.1:8080 target/browser-artifacts)');
    return 2;
  }
  let base;
  try {
    base = new URL(baseArg);
  } catch {
    console.error(`not a URL: ${baseArg}`);
    return 2;
  }
  if (!['localhost', '127.0.0.1', '[::1]'].includes(base.hostname)) {
    console.error(`refusing to test ${base.origin}: only a site served on this machine (loopback) is tested`);
    return 2;
  }
  const artifacts = path.resolve(artifactsArg);
  await mkdir(artifacts, { recursive: true });

  let browser;
  const timer = setTimeout(async () => {
    check(false, '[run]', `gave up: the whole run took longer than ${RUN_MS / 1000} s`);
    say(summary());
    await writeReport(artifacts);
    process.exit(1);
  }, RUN_MS);
  timer.unref();

  try {
    if (!existsSync(AXE_SCRIPT)) throw new Error(`${AXE_SCRIPT} is missing: run npm ci in ${HERE}`);
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
    let chromium;
    try {
      ({ chromium } = await import('playwright-core'));
    } catch (error) {
      throw new Error(`cannot load playwright-core (run npm ci in ${HERE}): ${message(error)}`);
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
    say(`testing ${base.origin} in Chromium ${browser.version()}; screenshots in ${artifacts}`);

    const found = {};
    for (const viewport of VIEWPORTS) await walk(browser, base, viewport, viewport.options, artifacts, found);
    await withoutScripts(browser, base, artifacts, found);
    await darkMode(browser, base, artifacts, found);
    await readers(browser, base, artifacts, found);
  } catch (error) {
    check(false, '[run]', `could not run: ${message(error)}`);
  } finally {
    if (browser) await withTimeout(browser.close(), 10_000, 'closing the browser').catch(() => {});
  }

  say(summary());
  await writeReport(artifacts);
  return counts.fail === 0 && counts.skip === 0 && counts.pass > 0 ? 0 : 1;
}

process.exitCode = await main();
