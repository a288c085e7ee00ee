import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { eventually } from '@geostream/platform/testing';

/**
 * Headless Chromium for the browser tests: the system's chromium (Debian package, or
 * CHROMIUM_PATH), never a downloaded one. playwright gives every launch a fresh temporary
 * profile (user-data dir) and deletes it on close.
 */
export interface TestBrowser {
  readonly browser: Browser;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  const browser = await chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}

export const ARTIFACTS_DIR = path.resolve(__dirname, '../../../../test-artifacts/batch-dashboard');

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** A script error or a console error, with the address it concerns when the browser says. */
export interface PageError {
  readonly text: string;
  /** The failed resource for a 'Failed to load resource' message, else the script's; may be ''. */
  readonly url: string;
}

/** Collects what must never happen on the page: CSP violations, script errors, dialogs. */
export interface PageProblems {
  readonly cspViolations: string[];
  readonly errors: PageError[];
  readonly dialogs: string[];
}

export async function watchPage(page: Page): Promise<PageProblems> {
  const problems: PageProblems = { cspViolations: [], errors: [], dialogs: [] };
  page.on('pageerror', (error) => problems.errors.push({ text: error.message, url: '' }));
  page.on('console', (message) => {
    if (message.type() === 'error') {
      problems.errors.push({ text: message.text(), url: message.location().url });
    }
  });
  page.on('dialog', (dialog) => {
    problems.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.exposeFunction('__reportCsp', (text: string) => problems.cspViolations.push(text));
  // Runs in the page (a string: this file is compiled without the DOM's types).
  await page.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (event) => {
      window.__reportCsp(event.violatedDirective + ' ' + event.blockedURI + ' ' + event.sourceFile + ':' + event.lineNumber);
    });`,
  });
  return problems;
}

/** Waits until the first element of the locator has text matching the pattern (trimmed). */
export async function expectText(
  locator: Locator,
  pattern: RegExp,
  timeoutMs = 15_000,
): Promise<void> {
  await eventually(
    async () =>
      pattern.test((await locator.first().textContent())?.trim() ?? '') ? true : undefined,
    { timeoutMs, what: `text matching ${pattern}` },
  ).catch(async (error: unknown) => {
    throw new Error(
      `${(error as Error).message}; got ${JSON.stringify(await locator.first().textContent())}`,
    );
  });
}

/** Waits until the page's header says the live connection is up. */
export async function waitForLive(page: Page, timeoutMs = 30_000): Promise<void> {
  await eventually(
    async () =>
      (await page.locator('#live-state').getAttribute('data-state')) === 'live' ? true : undefined,
    { timeoutMs, what: 'the live connection' },
  );
}
