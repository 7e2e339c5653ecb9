// Things a driver can run into: a wrong password, a phone without Web
// Bluetooth (it says so), and printing with no printer paired (clear
// message, the recorded action stays).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { APP_URL, DRIVER, launch, login, newPhone, shot } from './lib/harness.mjs';

describe('edge cases', () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it('a wrong password is refused with a clear message', async () => {
    const { context, page } = await newPhone(browser);
    await page.goto(APP_URL);
    await page.fill('#email', DRIVER.email);
    await page.fill('#password', 'not-the-password');
    await page.click('button[type=submit]');
    await page.waitForSelector('[role=alert]');
    assert.match(await page.textContent('[role=alert]'), /wrong e-mail or password|too many/i);
    await context.close();
  });

  it('without Web Bluetooth the printer screen says so', async () => {
    const { context, page } = await newPhone(browser, { bluetooth: 'none' });
    await login(page);
    await page.goto(`${APP_URL}#/printer`);
    await page.waitForSelector('[data-testid=no-bluetooth]');
    await shot(page, '11-printer-unsupported');

    // ...and offers the server-rendered receipt once the distribution is applied
    await page.goto(`${APP_URL}#/distribution`);
    await page.waitForSelector('#cylinder-type option', { state: 'attached' });
    await page.click('[data-movement=COLLECTION]');
    await page.click('button:text-is("Add line")');
    await page.click('button:text-is("Review")');
    await page.click('[data-testid=confirm-dialog] button:text-is("Confirm")');
    await page.waitForSelector('[data-testid=event-status]:has-text("applied")');
    await page.waitForSelector('text=/cannot print directly/');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('button:text-matches("^Download receipt")')]);
    const file = await download.path();
    const { readFile } = await import('node:fs/promises');
    const bytes = await readFile(file);
    assert.ok(bytes.length > 0, 'the server receipt has bytes');
    assert.match(download.suggestedFilename(), /^DIST-.*\.bin$/);
    await shot(page, '11b-server-receipt');
    await context.close();
  });

  it('printing with no printer paired explains it and keeps the action', async () => {
    const { context, page } = await newPhone(browser);
    await login(page);
    await page.goto(`${APP_URL}#/distribution`);
    await page.waitForSelector('#cylinder-type option', { state: 'attached' });
    await page.click('[data-movement=COLLECTION]');
    await page.click('button:text-is("Add line")');
    await page.click('button:text-is("Review")');
    await page.click('[data-testid=confirm-dialog] button:text-is("Confirm")');
    await page.waitForSelector('[data-testid=event-card]');
    await page.click('button:text-matches("^Print (provisional )?receipt$")');
    await page.waitForSelector('text=/No printer paired/');
    assert.match(await page.textContent('[data-testid=event-card]'), /queued|applied/i);
    await shot(page, '12-no-printer-paired');
    await context.close();
  });

  it('signing out and in again keeps the phone registered', async () => {
    const { context, page } = await newPhone(browser);
    await login(page);
    await page.click('button:text-is("Sign out")');
    await page.waitForSelector('#email');
    await login(page);
    assert.equal(await page.locator('text=/not registered yet/').count(), 0);
    await context.close();
  });
});
