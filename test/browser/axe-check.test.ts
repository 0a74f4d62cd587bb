/**
 * The axe check every console page goes through (seriousViolations, in axe's legacy mode) finds
 * what it is there to find: were it to run no rule or miss a page's content, every page test
 * using it would pass on a broken page.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { launchBrowser, seriousViolations } from '../helpers/browser.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(() => browser?.close());

describe('seriousViolations', () => {
  it('names a serious and a critical violation, and nothing on a clean page', async () => {
    const page = await browser.newPage();
    await page.setContent(
      '<!doctype html><html lang="en"><title>t</title><main><h1>t</h1>' +
        '<img src="data:," id="no-alt"><input id="no-label"></main></html>',
    );
    const found = await seriousViolations(page);
    // image-alt is critical, label serious (axe-core's impacts).
    expect(found).toEqual(expect.arrayContaining(['image-alt: #no-alt', 'label: #no-label']));

    await page.setContent(
      '<!doctype html><html lang="en"><title>t</title><main><h1>t</h1>' +
        '<img src="data:," alt="logo"><label>Name <input></label></main></html>',
    );
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });

  it('leaves out moderate and minor findings', async () => {
    const page = await browser.newPage();
    // No <main> landmark and no h1: axe's "region" and "page-has-heading-one" are moderate.
    await page.setContent('<!doctype html><html lang="en"><title>t</title><p>text</p></html>');
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });
});
