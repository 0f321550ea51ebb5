// Drives code-server (VS Code in the browser) with Debian's chromium through
// playwright-core, and checks what a person would see with the mmname
// extension installed. Run by tests/clients/test_vscode.py:
//
//   node vscode_driver.cjs CONFIG.json
//
// CONFIG: {playwrightCore, chromium, url, fileName, metafileName,
//          metafileHover: {name, token}, artifacts, profile, settingsPath,
//          bareInterpreter (a Python without mmname-lsp: the bundled copy
//          runs), missingInterpreter (no such file: an error notification)}
// Prints one JSON object (what was seen, timings, problems) on the last line
// of stdout; progress goes to stderr. Exit code 0 when everything was seen.
'use strict';
const fs = require('fs');
const path = require('path');

const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const { chromium } = require(cfg.playwrightCore);

const result = { problems: [], timings_ms: {}, blocked: [] };
const start = Date.now();
let lastMark = start;
function mark(step) {
  const now = Date.now();
  result.timings_ms[step] = now - lastMark;
  lastMark = now;
  process.stderr.write(`[driver] ${step}: ${now - start} ms\n`);
}

// The text of a line in the editor and the screen box of one of its characters.
async function charBox(page, needle, offset) {
  return page.evaluate(
    ({ needle, offset }) => {
      for (const line of document.querySelectorAll('.monaco-editor .view-line')) {
        const text = line.textContent.replace(/\u00a0/g, ' ');
        const at = text.indexOf(needle);
        if (at < 0) continue;
        const target = at + offset;
        const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
        let node;
        let seen = 0;
        while ((node = walker.nextNode())) {
          const len = node.textContent.length;
          if (target < seen + len) {
            const range = document.createRange();
            range.setStart(node, target - seen);
            range.setEnd(node, target - seen + 1);
            const b = range.getBoundingClientRect();
            return { left: b.left, top: b.top, width: b.width, height: b.height };
          }
          seen += len;
        }
      }
      return null;
    },
    { needle, offset },
  );
}

async function suggestLabels(page) {
  return page.$$eval('.suggest-widget.visible .monaco-list-row', (rows) =>
    rows.map((r) => {
      const label = r.querySelector('.label-name');
      return (label ? label.textContent : r.getAttribute('aria-label') || '').trim();
    }),
  );
}

async function waitForSuggest(page, label, timeout) {
  await page.waitForFunction(
    (label) =>
      [...document.querySelectorAll('.suggest-widget.visible .monaco-list-row .label-name')].some(
        (e) => e.textContent.trim() === label,
      ),
    label,
    { timeout },
  );
}

// Open a file by name as a person would (its tab, else Quick Open); waits for its text.
async function openFile(page, fileName, textInFile) {
  await page.keyboard.press('Escape');
  const tab = page.locator(`.tabs-container .tab[aria-label*="${fileName}"]`).first();
  if ((await tab.count()) > 0) {
    // Already open in a tab: click it.
    await tab.click();
  } else {
    await quickOpen(page, fileName);
  }
  await page.waitForFunction(
    ({ fileName, textInFile }) =>
      [...document.querySelectorAll('.tabs-container .tab.active')].some((t) =>
        (t.getAttribute('aria-label') || t.textContent).includes(fileName),
      ) &&
      [...document.querySelectorAll('.monaco-editor .view-line')].some((l) =>
        l.textContent.replace(/\u00a0/g, ' ').includes(textInFile),
      ),
    { fileName, textInFile },
    { timeout: 30_000 },
  );
}

async function quickOpen(page, fileName) {
  await page.keyboard.press('Control+P');
  await page.waitForSelector('.quick-input-widget .quick-input-box input', { timeout: 20_000 });
  await page.keyboard.type(fileName, { delay: 5 });
  await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${fileName}"]`, {
    timeout: 30_000,
  });
  await page.keyboard.press('Enter');
}

async function visibleSquiggles(page) {
  return page.$$eval(
    '.editor-group-container.active .monaco-editor .squiggly-error, .editor-group-container.active .monaco-editor .squiggly-warning, .editor-group-container.active .monaco-editor .squiggly-info',
    (els) => els.map((e) => e.className.match(/squiggly-\w+/)[0]),
  );
}

// The language status items of the active editor (the `{}` entry of the
// status bar), as its hover shows them; waits until one matches `wanted`.
async function languageStatus(page, wanted, timeout) {
  const entry = page.locator('[id="status.languageStatus"]');
  const deadline = Date.now() + timeout;
  let last = [];
  while (Date.now() < deadline) {
    await entry.waitFor({ state: 'visible', timeout: Math.max(1000, deadline - Date.now()) });
    await entry.hover();
    try {
      await page.waitForSelector('.hover-language-status', { timeout: 5_000 });
    } catch {
      await entry.click();
      await page.waitForSelector('.hover-language-status', { timeout: 5_000 }).catch(() => {});
    }
    last = await page.$$eval('.hover-language-status', (items) =>
      items.map((i) => i.innerText.replace(/\s+/g, ' ').trim()),
    );
    if (last.some((t) => wanted.test(t))) {
      return last;
    }
    await page.mouse.move(5, 400);
    await page.keyboard.press('Escape');
    await page.waitForTimeout(500);
  }
  throw new Error(`language status never matched ${wanted}: ${JSON.stringify(last)}`);
}

async function hoverToken(page, needle, offset, wanted) {
  const box = await charBox(page, needle, offset);
  if (!box) throw new Error(`the line with ${needle} is not on screen`);
  // A hover can be lost while the workbench is still busy (a panel closing,
  // a widget fading): point again, away and back, until it shows.
  const deadline = Date.now() + 30_000;
  for (;;) {
    await page.mouse.move(box.left + box.width / 2, box.top + box.height / 2);
    await page.mouse.move(box.left + box.width / 2 + 1, box.top + box.height / 2);
    try {
      await page.waitForFunction(
        (wanted) =>
          [...document.querySelectorAll('.monaco-hover')].some(
            (h) => h.offsetParent !== null && h.innerText.includes(wanted),
          ),
        wanted,
        { timeout: 5_000 },
      );
      break;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await page.mouse.move(5, 400);
    }
  }
  return { box, text: await page.evaluate((wanted) => [...document.querySelectorAll('.monaco-hover')].find(
    (h) => h.offsetParent !== null && h.innerText.includes(wanted)).innerText, wanted) };
}

// Type a value into a setting of the open Settings editor (search, fill, Tab).
async function setSetting(page, key, label, value) {
  await page.locator('.settings-editor .suggest-input-container').first().click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(key, { delay: 5 });
  const field = page
    .locator('.settings-editor .setting-item-contents', { hasText: label })
    .locator('input')
    .first();
  await field.waitFor({ state: 'visible', timeout: 30_000 });
  const before = await field.inputValue();
  await field.fill(value);
  await field.press('Tab');
  // The Settings editor writes settings.json a moment later: wait for it.
  const deadline = Date.now() + 20_000;
  while (!fs.readFileSync(cfg.settingsPath, 'utf8').includes(JSON.stringify(value))) {
    if (Date.now() > deadline) throw new Error(`${key} was not saved as ${value}`);
    await page.waitForTimeout(100);
  }
  return before;
}

async function main() {
  fs.mkdirSync(cfg.artifacts, { recursive: true });
  const shot = (page, name, options = {}) =>
    page.screenshot({ path: path.join(cfg.artifacts, name), ...options });

  const context = await chromium.launchPersistentContext(cfg.profile, {
    executablePath: cfg.chromium,
    headless: true,
    timeout: 60_000,
    viewport: { width: 1280, height: 800 },
    serviceWorkers: 'block', // every request then passes the route below
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-default-apps',
      '--no-proxy-server',
      // Names other than the loopback address do not resolve at all.
      '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
    ],
  });
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1' || url.protocol === 'data:' || url.protocol === 'blob:') {
      return route.continue();
    }
    result.blocked.push(url.href);
    return route.abort();
  });
  const page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(30_000);
  try {
    await page.goto(cfg.url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
    await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60_000 });
    mark('workbench');

    // Open the fixture config with Quick Open, as a person would.
    await page.locator('.monaco-workbench').click({ position: { x: 640, y: 400 } });
    await page.keyboard.press('Control+P');
    await page.waitForSelector('.quick-input-widget .quick-input-box input', { timeout: 20_000 });
    await page.keyboard.type(cfg.fileName, { delay: 5 });
    await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${cfg.fileName}"]`, {
      timeout: 30_000,
    });
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('.monaco-editor .view-line')].some((l) =>
          l.textContent.includes('load_from'),
        ),
      null,
      { timeout: 30_000 },
    );
    mark('file_open');

    // The squiggles come from the server (file name: line 0; literals below).
    await page.waitForSelector('.monaco-editor .squiggly-error, .monaco-editor .squiggly-warning', {
      timeout: 90_000,
    });
    await page.waitForTimeout(500);
    result.squiggles = await page.$$eval(
      '.monaco-editor .squiggly-error, .monaco-editor .squiggly-warning, .monaco-editor .squiggly-hint, .monaco-editor .squiggly-info',
      (els) => els.map((e) => e.className.match(/squiggly-\w+/)[0]),
    );
    mark('squiggles');
    await shot(page, 'vscode-diagnostics.png');
    // No notification so far (an invalid-settings warning would show here).
    result.toasts_at_start = await page.$$eval('.notifications-toasts .notification-toast', (ts) =>
      ts.map((t) => t.innerText.replace(/\s+/g, ' ').trim()),
    );

    // Hover the `8xb32` token of the name in the load_from line.
    const needle = "load_from = 'resnet50_8xb32-colsr_imagenet'";
    const nameAt = "load_from = '".length;
    const box = await charBox(page, needle, nameAt + 'resnet50_'.length + 2);
    if (!box) throw new Error('the load_from line is not on screen');
    await page.mouse.move(box.left + box.width / 2, box.top + box.height / 2);
    await page.mouse.move(box.left + box.width / 2 + 1, box.top + box.height / 2);
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('.monaco-hover')].some(
          (h) => h.offsetParent !== null && h.innerText.includes('gpus-x-batch'),
        ),
      null,
      { timeout: 30_000 },
    );
    await page.waitForTimeout(300);
    const hover = await page.evaluate(() => {
      const h = [...document.querySelectorAll('.monaco-hover')].find(
        (e) => e.offsetParent !== null && e.innerText.includes('gpus-x-batch'),
      );
      const r = h.getBoundingClientRect();
      return {
        text: h.innerText,
        bold: [...h.querySelectorAll('strong, b')].map((e) => e.textContent.trim()),
        box: { x: r.left, y: r.top, width: r.width, height: r.height },
      };
    });
    result.hover_text = hover.text;
    result.hover_bold = hover.bold;
    mark('hover');
    await shot(page, 'vscode-hover.png');
    // A small picture for the README: the hovered line and the hover.
    const gutter = await page.evaluate(() => {
      const m = document.querySelector('.monaco-editor .margin');
      return m ? m.getBoundingClientRect().left : 0;
    });
    const x0 = Math.max(0, Math.min(hover.box.x, gutter) - 4);
    const y0 = Math.max(0, Math.min(hover.box.y, box.top) - box.height - 3);
    const x1 = Math.min(1280, Math.max(hover.box.x + hover.box.width, box.left) + 8);
    const y1 = Math.min(800, Math.max(hover.box.y + hover.box.height, box.top + box.height) + 8);
    await shot(page, 'vscode-hover-small.png', {
      clip: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 },
    });
    await page.mouse.move(5, 400);
    await page.keyboard.press('Escape');

    // Completion after `resnet50_`: a click puts the cursor before the `8`.
    const underscore = await charBox(page, needle, nameAt + 'resnet50_'.length);
    await page.mouse.click(underscore.left + 1, underscore.top + underscore.height / 2);
    await page.keyboard.press('Control+Space');
    await waitForSuggest(page, '8xb32', 30_000);
    result.completion_after_underscore = await suggestLabels(page);
    mark('completion_underscore');
    await shot(page, 'vscode-completion-underscore.png');
    await page.keyboard.press('Escape');

    // Completion after `8xb32-`; typing `cos` filters the list as it would for a person.
    const dash = await charBox(page, needle, nameAt + 'resnet50_8xb32-'.length);
    await page.mouse.click(dash.left + 1, dash.top + dash.height / 2);
    await page.keyboard.press('Control+Space');
    await page.waitForSelector('.suggest-widget.visible .monaco-list-row', { timeout: 30_000 });
    result.completion_after_dash = await suggestLabels(page);
    await page.keyboard.type('cos', { delay: 30 });
    await waitForSuggest(page, 'coslr', 15_000);
    result.completion_after_dash_cos = await suggestLabels(page);
    mark('completion_dash');
    await shot(page, 'vscode-completion-dash.png');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+Z');

    // The Problems panel lists the diagnostics with their source and code.
    // (Filtered to the config: the workspace's other files have problems too.)
    await page.keyboard.press('Control+Shift+M');
    await page.waitForSelector('.markers-panel .monaco-list-row', { timeout: 20_000 });
    const filter = page.locator('.viewpane-filter-container input').first();
    await filter.fill(`**/${cfg.fileName}`);
    await page.waitForFunction(
      (name) => {
        const rows = [...document.querySelectorAll('.markers-panel .monaco-list-row')];
        return rows.length > 0 && rows[0].innerText.includes(name);
      },
      cfg.fileName,
      { timeout: 20_000 },
    );
    await page.waitForTimeout(300);
    result.problems_panel = await page.$$eval('.markers-panel .monaco-list-row', (rows) =>
      rows.map((r) => r.innerText.replace(/\s+/g, ' ').trim()),
    );
    mark('problems_panel');
    await shot(page, 'vscode-problems.png');

    // Close the Problems panel again (its filter box has the focus).
    await page.keyboard.press('Escape');
    const hidePanel = page.locator('.part.panel .codicon-panel-close, .part.panel .codicon-close').first();
    if ((await hidePanel.count()) > 0) {
      await hidePanel.click();
    } else {
      await page.keyboard.press('Control+Shift+M');
    }
    await page.waitForSelector('.markers-panel', { state: 'hidden', timeout: 10_000 }).catch(() => {});

    // The language status item says which server runs: the one installed in
    // the interpreter (mmname.server.interpreter has mmname-lsp).
    result.status_environment = await languageStatus(page, /mmname-lsp \S+ \(environment\)/, 60_000);
    mark('status_environment');
    await shot(page, 'vscode-status-environment.png');
    await page.mouse.move(5, 400);
    await page.keyboard.press('Escape');

    // A metafile (YAML) is attached too: squiggles, and the name breakdown on hover.
    const meta = cfg.metafileHover;
    await openFile(page, cfg.metafileName, `Name: ${meta.name}`);
    await page.waitForFunction(
      () => document.querySelectorAll('.editor-group-container.active .monaco-editor .squiggly-error, .editor-group-container.active .monaco-editor .squiggly-warning').length > 0,
      null,
      { timeout: 90_000 },
    );
    result.metafile_squiggles = await visibleSquiggles(page);
    const metaLine = `Name: ${meta.name}`;
    const metaHover = await hoverToken(
      page,
      metaLine,
      'Name: '.length + meta.name.indexOf(meta.token) + 1,
      'gpus-x-batch',
    );
    result.metafile_hover = metaHover.text;
    mark('metafile');
    await shot(page, 'vscode-metafile.png');
    await page.mouse.move(5, 400);
    await page.keyboard.press('Escape');
    result.status_metafile = await languageStatus(page, /mmname-lsp/, 30_000);
    await page.mouse.move(5, 400);
    await page.keyboard.press('Escape');

    // Settings reach the running server: untick mmname.enable in the
    // Settings editor and the squiggles go away; tick it again.
    await page.keyboard.press('Control+Comma');
    await page.waitForSelector('.settings-editor', { timeout: 30_000 });
    await page.waitForTimeout(500);
    await page.keyboard.type('mmname.enable', { delay: 5 });
    const enable = page
      .locator('.settings-editor .setting-item-bool', { hasText: 'Check MMPretrain names' })
      .locator('.setting-value-checkbox')
      .first();
    await enable.waitFor({ state: 'visible', timeout: 30_000 });
    result.enable_before = await enable.getAttribute('aria-checked');
    await enable.click();
    await page.waitForFunction(
      () => document.querySelectorAll('.monaco-editor .squiggly-error, .monaco-editor .squiggly-warning').length === 0,
      null,
      { timeout: 30_000 },
    );
    result.squiggles_after_disable = 0;
    mark('enable_off');
    await enable.click();
    await page.waitForFunction(
      (el) => el.getAttribute('aria-checked') === 'true',
      await enable.elementHandle(),
      { timeout: 10_000 },
    );
    result.enable_after = await enable.getAttribute('aria-checked');

    // A Python without mmname-lsp (a fresh venv), set in the same editor:
    // the extension restarts on the change and runs its bundled copy.
    result.settings_ui_before = await setSetting(
      page,
      'mmname.server.interpreter',
      'Interpreter',
      cfg.bareInterpreter,
    );
    await openFile(page, cfg.fileName, 'load_from');
    result.status_bundled = await languageStatus(page, /mmname-lsp \S+ \(bundled\)/, 90_000);
    mark('status_bundled');
    await shot(page, 'vscode-status-bundled.png');
    await page.mouse.move(5, 400);
    await page.keyboard.press('Escape');
    await page.waitForFunction(
      () => document.querySelectorAll('.editor-group-container.active .monaco-editor .squiggly-error, .editor-group-container.active .monaco-editor .squiggly-warning').length > 0,
      null,
      { timeout: 90_000 },
    );
    result.bundled_squiggles = await visibleSquiggles(page);
    const bundledHover = await hoverToken(
      page,
      needle,
      nameAt + 'resnet50_'.length + 2,
      'gpus-x-batch',
    );
    result.bundled_hover = bundledHover.text;
    mark('bundled');
    await shot(page, 'vscode-bundled.png');
    await page.mouse.move(5, 400);
    await page.keyboard.press('Escape');

    // No Python at all where the setting points: a clear error.
    await page.keyboard.press('Control+Comma');
    await page.waitForSelector('.settings-editor', { timeout: 30_000 });
    await setSetting(page, 'mmname.server.interpreter', 'Interpreter', cfg.missingInterpreter);
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('.notifications-toasts .notification-toast')].some((t) =>
          t.innerText.includes('no Python'),
        ),
      null,
      { timeout: 60_000 },
    );
    result.error_notification = await page.evaluate(() => {
      const t = [...document.querySelectorAll('.notifications-toasts .notification-toast')].find(
        (e) => e.innerText.includes('no Python'),
      );
      return {
        text: t.innerText,
        buttons: [...t.querySelectorAll('.monaco-button')].map((b) => b.textContent.trim()),
      };
    });
    mark('error_notification');
    await shot(page, 'vscode-no-python.png');
  } catch (err) {
    result.problems.push(String((err && err.stack) || err));
    try {
      await shot(page, 'vscode-failure.png');
    } catch {
      // no page to take
    }
  } finally {
    result.total_ms = Date.now() - start;
    await context.close().catch(() => {});
  }
  process.stdout.write('\n' + JSON.stringify(result) + '\n');
  process.exit(result.problems.length ? 1 : 0);
}

main().catch((err) => {
  result.problems.push(String((err && err.stack) || err));
  process.stdout.write('\n' + JSON.stringify(result) + '\n');
  process.exit(1);
});
