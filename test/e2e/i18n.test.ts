/**
 * The editor in each shipped language, in a real Chromium against a real Node-RED running the demo
 * (scripts/demo.ts). For each language under locales/ the browser's locale (navigator.language and
 * Accept-Language, which Node-RED's editor follows) is set, and for every node type of package.json:
 * - the palette entry carries no raw catalogue key, and shows the language's text when the English
 *   label comes from the catalogue;
 * - the edit dialog's catalogue-driven parts (`data-i18n` texts, placeholders, titles) show that
 *   language's values from locales/<lang>/<type>.json, and no raw key (`<type>.label.x`,
 *   `node-red:...`) shows anywhere in it;
 * - the help sidebar shows that language's help (first paragraph and every `<h3>`), not the English one.
 *
 * - no visible dialog text outside the catalogue (hard-coded in nodes/<type>.html) reads as in English.
 *
 * Screenshots of each dialog and help go to test/artifacts/screenshots/<lang>/<type>.png and
 * <type>.help.png, the palette to palette.png (gitignored). Hard-coded palette labels and
 * untranslated dialog texts are listed in test/artifacts/i18n-hardcoded.json.
 */
import 'should';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ROOT, startDemo, type Demo } from '../../scripts/demo';
import { LOCALES, REFERENCE, SAME_AS_ENGLISH, SAME_IN_LANGUAGE, flatten, helpOutline, languages, plainText } from '../../scripts/i18n-missing';
import { CHROMIUM, CHROMIUM_ARGS, closeEditTrays, workspaceNode } from '../support/chromium';
import { CONFIG_TYPES, NODE_TYPES } from '../support/node-types';

// `RED` lives in the page; these tests only reach it inside page.evaluate / waitForFunction.
declare const RED: any;

const ARTIFACTS = path.join(ROOT, 'test', 'artifacts');
const SHOTS = path.join(ARTIFACTS, 'screenshots');

/** A raw catalogue key where a text should be: ours (`<type>.<section>.<key>`) or Node-RED's (`node-red:...`). */
const RAW_KEY = new RegExp(`(?:\\b(?:${NODE_TYPES.map((t) => t.replace(/-/g, '\\-')).join('|')})\\.[A-Za-z]+\\.[\\w.-]+|\\bnode-red:[\\w.-]+)`);

function catalogue(lang: string, type: string): Map<string, string> {
  const file = path.join(LOCALES, lang, `${type}.json`);
  return fs.existsSync(file) ? flatten(JSON.parse(fs.readFileSync(file, 'utf8'))) : new Map();
}

/** Text as the browser shows it: tags dropped without a space (`(<code>GET</code>` reads `(GET`). */
function shownText(html: string): string {
  return plainText(html.replace(/<[^>]+>/g, ''));
}

function help(lang: string, type: string): { para: string; headings: string[] } {
  const html = fs.readFileSync(path.join(LOCALES, lang, `${type}.html`), 'utf8');
  const p = /<p>([\s\S]*?)<\/p>/.exec(html);
  (p !== null).should.be.true(`${lang}/${type}.html has no <p>`);
  helpOutline(html).names.should.containEql(type);
  return { para: shownText(p![1]!).slice(0, 60), headings: [...html.matchAll(/<h3>([\s\S]*?)<\/h3>/g)].map((m) => shownText(m[1]!)) };
}

/** One `data-i18n` target: `[attr]key` or `key` (text); `[html]key` is the inner HTML. */
interface I18nUse { key: string; attr: string | null; shown: string }

const normal = (s: string): string => s.replace(/\s+/g, ' ').trim();
/** A palette label without the line breaks (and spaces) the palette adds when it wraps one. */
const unwrapped = (s: string): string => s.replace(/[\s-]+/g, '');

/** What a catalogue value looks like once the editor shows it (markup gone for text). */
function shownAs(value: string, attr: string | null): string {
  return normal(attr === 'html' ? shownText(value) : value);
}

const TRAY = '.red-ui-tray';

/** Opens the dialog of the first demo node of a type; a config node through the pencil of an endpoint that uses it. */
async function openDialog(page: Page, type: string): Promise<void> {
  const target = await page.evaluate(([t, isConfig]) => {
    let found: { id: string; z: string } | undefined;
    RED.nodes.eachNode((n: { id: string; z: string; type: string; server?: string }) => {
      if (found) return;
      if (!isConfig && n.type === t) found = { id: n.id, z: n.z };
      if (isConfig && n.server && RED.nodes.node(n.server)?.type === t) found = { id: n.id, z: n.z };
    });
    return found;
  }, [type, CONFIG_TYPES.includes(type)] as const);
  (target !== undefined).should.be.true(`no demo node to open ${type} from`);
  await page.evaluate(([tab, nid]) => { RED.workspaces.show(tab); RED.view.reveal(nid, false); }, [target!.z, target!.id] as const);
  await page.locator(`${workspaceNode(target!.id)} .red-ui-flow-node`).dblclick();
  await page.locator('#node-dialog-ok').waitFor({ state: 'visible' });
  if (CONFIG_TYPES.includes(type)) {
    for (let attempt = 1; ; attempt++) {
      await page.click('#node-input-btn-server-edit');
      try {
        await page.locator('#node-config-dialog-ok').waitFor({ state: 'visible', timeout: 4000 });
        break;
      } catch (err) {
        if (attempt === 3) throw err;
      }
    }
  }
  // The dialog's catalogue texts are filled in as the tray opens.
  await page.waitForTimeout(300);
}

/** The top tray's `data-i18n` uses, its visible text, attributes that show text, and texts from no catalogue. */
async function readTray(page: Page): Promise<{ uses: I18nUse[]; text: string; attrs: string[]; loose: string[] }> {
  return page.locator(TRAY).last().evaluate((tray) => {
    const uses: Array<{ key: string; attr: string | null; shown: string }> = [];
    for (const el of Array.from(tray.querySelectorAll('[data-i18n]'))) {
      for (const part of (el.getAttribute('data-i18n') ?? '').split(';')) {
        const m = /^(?:\[([\w-]+)\])?(.+)$/.exec(part.trim());
        if (!m) continue;
        const attr = m[1] ?? null;
        const shown = attr === null || attr === 'html' ? (el.textContent ?? '') : (el.getAttribute(attr) ?? '');
        uses.push({ key: m[2]!, attr, shown });
      }
    }
    const attrs = Array.from(tray.querySelectorAll('[placeholder], [title]'))
      .flatMap((e) => [e.getAttribute('placeholder') ?? '', e.getAttribute('title') ?? '']).filter((s) => s !== '');
    // Visible text in the form that no data-i18n element (and no value a user typed) accounts for.
    const loose: string[] = [];
    const walker = document.createTreeWalker(tray.querySelector('.red-ui-tray-body') ?? tray, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const t = (n.textContent ?? '').replace(/\s+/g, ' ').trim();
      const parent = n.parentElement;
      if (!parent || !/[A-Za-z]{3,}/.test(t) || parent.closest('[data-i18n], script, style, textarea, .red-ui-typedInput-container')) continue;
      if (parent.offsetParent === null) continue;
      loose.push(t);
    }
    return { uses, text: (tray as HTMLElement).innerText, attrs, loose };
  });
}

describe('the editor in every shipped language (real Chromium)', function () {
  this.timeout(60_000);
  this.retries(1);
  let demo: Demo;
  let userDir: string;
  let browser: Browser;
  const hardcoded: Record<string, Record<string, string[]>> = {};
  /** Palette labels in en-US, to tell catalogue-driven labels from hard-coded ones. */
  const englishPalette = new Map<string, string>();
  /** Dialog texts from no catalogue in en-US, per type: the same text in another language is untranslated. */
  const englishLoose = new Map<string, Set<string>>();
  const paletteTypes = NODE_TYPES.filter((t) => !CONFIG_TYPES.includes(t));

  before(async function () {
    this.timeout(180_000);
    fs.existsSync(CHROMIUM).should.be.true(`Chromium not found at ${CHROMIUM}`);
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nf-i18n-'));
    [demo, browser] = await Promise.all([
      startDemo({ userDir, port: 0, simPort: 0, quiet: true }),
      chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }),
    ]);
  });

  after(async () => {
    await browser?.close();
    await demo?.stop();
    if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    fs.writeFileSync(path.join(ARTIFACTS, 'i18n-hardcoded.json'), `${JSON.stringify(hardcoded, null, 2)}\n`);
  });

  it('ships at least five languages besides en-US', () => {
    languages().length.should.be.aboveOrEqual(5);
  });

  for (const lang of [REFERENCE, ...languages()]) {
    describe(lang, () => {
      let context: BrowserContext;
      let page: Page;
      const problems: string[] = [];

      before(async function () {
        this.timeout(120_000);
        context = await browser.newContext({ locale: lang, extraHTTPHeaders: { 'Accept-Language': lang }, viewport: { width: 1600, height: 1000 } });
        page = await context.newPage();
        page.setDefaultTimeout(15_000);
        page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
        await page.goto(demo.url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
        await page.waitForFunction(() => typeof RED !== 'undefined' && RED.nodes?.getType?.('network-flow-anomaly') && RED.workspaces?.count() > 0
          && RED.nodes.filterNodes({ type: 'network-flow-anomaly' }).length > 0, undefined, { timeout: 60_000 });
        (await page.evaluate(() => RED.i18n.lang() as string)).should.equal(lang, 'the editor did not take the browser language');
        await page.locator('.red-ui-notification .red-ui-notification-close, .red-ui-notification button').first().click({ timeout: 500 }).catch(() => undefined);
        fs.mkdirSync(path.join(SHOTS, lang), { recursive: true });
      });

      after(async () => { await context?.close(); });
      afterEach(async () => { if (page) await closeEditTrays(page).catch(() => undefined); });

      it('palette: every node is there, no raw key, catalogue labels translated', async () => {
        const leaks: string[] = [];
        const wrong: string[] = [];
        for (const type of paletteTypes) {
          const entry = page.locator(`.red-ui-palette-node[data-palette-type="${type}"]`);
          (await entry.count()).should.equal(1, `${type} is not in the palette`);
          const label = normal(await entry.locator('.red-ui-palette-label').innerText());
          if (RAW_KEY.test(label) || label === '') leaks.push(`${type}: "${label}"`);
          if (lang === REFERENCE) {
            englishPalette.set(type, label);
            continue;
          }
          // A label that is a catalogue value in English must be that key's value here.
          const en = englishPalette.get(type);
          // The palette wraps a long label inside a word or at a hyphen: compared without the breaks.
          const key = en === undefined ? undefined : [...catalogue(REFERENCE, type)].find(([, v]) => unwrapped(v) === unwrapped(en))?.[0];
          if (key !== undefined) {
            const want = normal(catalogue(lang, type).get(key) ?? '');
            if (unwrapped(label) !== unwrapped(want)) wrong.push(`${type}: "${label}", expected "${want}" (${key})`);
          } else {
            (hardcoded[lang] ??= {})['(palette)'] = [...(hardcoded[lang]?.['(palette)'] ?? []), `${type}: ${label}`];
          }
        }
        await page.locator('#red-ui-palette').screenshot({ path: path.join(SHOTS, lang, 'palette.png') });
        leaks.should.eql([], 'raw keys in the palette');
        wrong.should.eql([], 'untranslated palette labels');
        problems.should.eql([]);
      });

      for (const type of NODE_TYPES) {
        it(`${type}: dialog in ${lang}`, async () => {
          await openDialog(page, type);
          const tray = await readTray(page);
          await page.screenshot({ path: path.join(SHOTS, lang, `${type}.png`) });
          const mine = catalogue(lang, type);
          const bad: string[] = [];
          let ours = 0;
          for (const use of tray.uses) {
            // Node-RED prefixes a node's keys with its catalogue's namespace (`<module>/<type>:`).
            use.key = use.key.replace(/^[^:]*network-flows[^:]*:/, '');
            if (!use.key.startsWith(`${type}.`)) continue;
            ours++;
            const value = mine.get(use.key);
            if (value === undefined) bad.push(`${use.key}: not in ${lang}/${type}.json`);
            else if (normal(use.shown) !== shownAs(value, use.attr)) bad.push(`${use.attr ? `[${use.attr}]` : ''}${use.key}: shows "${normal(use.shown)}", expected "${shownAs(value, use.attr)}"`);
          }
          ours.should.be.above(0, `the ${type} dialog uses no catalogue text`);
          bad.should.eql([], `${type} dialog texts in ${lang}`);
          const leaks = [tray.text, ...tray.attrs].filter((t) => RAW_KEY.test(t)).map((t) => RAW_KEY.exec(t)![0]);
          leaks.should.eql([], `raw keys in the ${type} dialog`);
          // Text from no catalogue that reads exactly as in the English dialog was left in English.
          if (lang === REFERENCE) englishLoose.set(type, new Set(tray.loose));
          else {
            const same = [...new Set(tray.loose)].filter((t) => englishLoose.get(type)?.has(t) && !SAME_AS_ENGLISH.has(t)
              && !(SAME_IN_LANGUAGE[lang] ?? []).includes(t));
            if (same.length > 0) (hardcoded[lang] ??= {})[type] = same;
            same.should.eql([], `English text left in the ${type} dialog`);
          }
          problems.should.eql([]);
        });

        it(`${type}: help in ${lang}`, async () => {
          const want = help(lang, type);
          await page.evaluate((t) => RED.sidebar.help.show(t), type);
          const HELP = '.red-ui-sidebar-help-stack .red-ui-help';
          await page.waitForFunction(([sel, p]) => (document.querySelector(sel)?.textContent ?? '').replace(/\s+/g, ' ').includes(p),
            [HELP, want.para] as const, { timeout: 10_000 }).catch(() => undefined);
          const text = normal(await page.locator(HELP).first().evaluate((e) => e.textContent ?? ''));
          await page.locator('#red-ui-sidebar').screenshot({ path: path.join(SHOTS, lang, `${type}.help.png`) });
          text.should.containEql(want.para);
          for (const h of want.headings) text.should.containEql(h);
          if (lang !== REFERENCE) text.includes(help(REFERENCE, type).para).should.be.false('the English help is shown');
          RAW_KEY.test(text).should.be.false(`a raw key in the ${type} help: ${RAW_KEY.exec(text)?.[0]}`);
        });
      }
    });
  }
});
