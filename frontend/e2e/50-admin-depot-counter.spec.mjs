// The depot counter in the Django admin, in Chromium against a real server:
// the demo depot clerk signs in to /admin/, loads 7 x 12.7 kg onto a truck
// (a DIST number, the depot's stock down and the truck's up by exactly 7),
// tries to take back more empties than the truck holds (refused, the message
// under that field, nothing recorded), and sees only their own depot.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, launch, shot } from './lib/harness.mjs';

const CLERK = { email: process.env.E2E_DEPOT_EMAIL ?? 'depot@example.com', password: process.env.E2E_DEPOT_PASSWORD ?? 'demo1234' };
const COUNTER = `${BASE_URL}/admin/distribution/distributionheader/counter/`;
const TYPE = '12.7 kg cylinder';
const PLATE = 'XD1234A';

/** {location name: [full, empty]} of the given type, from the counter's "Stock now" table. */
async function stockNow(page) {
  return page.evaluate((type) => {
    const table = document.querySelector('#counter-stock');
    const heads = [...table.querySelectorAll('thead th')].map((th) => th.textContent.trim());
    const col = heads.indexOf(`${type} full`);
    const out = {};
    for (const tr of table.querySelectorAll('tbody tr')) {
      const cells = [...tr.children].map((td) => td.textContent.trim());
      out[cells[0]] = [Number(cells[col]), Number(cells[col + 1])];
    }
    return out;
  }, TYPE);
}

async function lineInput(page, column) {
  // the row of the cylinder type, then the column: 0 load, 1 empties back, 2 fulls back
  const row = page.locator('#counter-lines tbody tr', { has: page.locator(`th:text-is("${TYPE}")`) });
  return row.locator('td input').nth(column);
}

// The bundled mock API (E2E_MOCK=1) serves no Django admin: this spec needs the real server.
describe('depot counter in the admin', { skip: process.env.E2E_MOCK === '1' && 'needs the real server (scripts/e2e.sh)' }, () => {
  let browser, page;
  before(async () => {
    browser = await launch();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('pageerror', (e) => console.error('[page error]', e.message));
  });
  after(async () => {
    await browser?.close();
  });

  it('signs in as the depot clerk and opens the counter for their depot only', async () => {
    await page.goto(`${BASE_URL}/admin/login/?next=/admin/distribution/distributionheader/counter/`);
    await page.fill('#id_username', CLERK.email);
    await page.fill('#id_password', CLERK.password);
    await page.click('input[type=submit]');
    await page.waitForSelector('#counter-lines');
    assert.equal(new URL(page.url()).pathname, new URL(COUNTER).pathname);
    const depots = await page.locator('#id_depot option').allTextContents();
    assert.deepEqual(depots.map((d) => d.trim()), ['TUAS Tuas Depot']);
    const stock = await stockNow(page);
    assert.ok(Object.keys(stock).every((name) => !name.includes('Senoko')), `another depot shown: ${Object.keys(stock)}`);
    await shot(page, 'admin-01-counter');
  });

  it('loads 7 fulls onto the truck: one DIST, stock moved by exactly 7', async () => {
    const before = await stockNow(page);
    const depotName = Object.keys(before).find((n) => n.includes('Tuas Depot'));
    const truckName = Object.keys(before).find((n) => n.includes(PLATE));
    await page.selectOption('#id_vehicle', { label: PLATE });
    await (await lineInput(page, 0)).fill('7');
    await page.click('#service-form input[type=submit]');
    const message = await page.locator('.messagelist .success').textContent();
    assert.match(message, /Recorded DIST-\d{8}-\d{4}: 7 loaded, 0 returned/);
    const after = await stockNow(page);
    assert.equal(after[depotName][0], before[depotName][0] - 7);
    const truckBefore = truckName ? before[truckName][0] : 0;
    const truckAfter = after[Object.keys(after).find((n) => n.includes(PLATE))][0];
    assert.equal(truckAfter, truckBefore + 7);
    await shot(page, 'admin-02-loaded');
  });

  it('refuses more empties than the truck holds, under that field, recording nothing', async () => {
    const before = await stockNow(page);
    await page.selectOption('#id_vehicle', { label: PLATE });
    await (await lineInput(page, 1)).fill('500');
    await page.click('#service-form input[type=submit]');
    await page.waitForSelector('.errornote');
    const cell = page.locator('#counter-lines tbody tr', { has: page.locator(`th:text-is("${TYPE}")`) }).locator('td').nth(1);
    assert.match(await cell.locator('.errorlist').textContent(), /Not enough stock: .*holds \d+ empty .*500 requested/);
    assert.equal(await page.locator('.messagelist .success').count(), 0);
    assert.deepEqual(await stockNow(page), before);
    await shot(page, 'admin-03-refused');
  });
});
