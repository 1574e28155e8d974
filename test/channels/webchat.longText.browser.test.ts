/**
 * A customer who pastes a whole document into the widget (more than Direct Line's 256 KB body) is told the message
 * is too long, in Debian's chromium with the real bot, instead of Web Chat's bare "send failed".
 */
import * as http from 'http';
import type { AddressInfo } from 'net';
import type { Browser } from 'playwright-core';
import { createApp } from '../../index';
import { readSettings } from '../../config/settings';
import { collectPageErrors, launchChromium, screenshot, WebChatPage } from '../helpers/browser';

jest.setTimeout(60_000);

let browser: Browser;
let server: http.Server;
let url: string;
let closeDirectLine: () => Promise<void>;

beforeAll(async () => {
  const { app, directLine } = createApp(readSettings({}), { today: () => '2026-11-22' });
  server = http.createServer(app);
  directLine.attachWebSocket(server);
  closeDirectLine = () => directLine.close();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await closeDirectLine?.();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

test('a pasted text of 120,000 characters (360 KB) is answered as too long, and nothing failed to send', async () => {
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  const errors = collectPageErrors(page);
  await page.goto(url);
  const chat = new WebChatPage(page);
  await chat.waitUntilConnected();
  await chat.send('我的域名实名认证失败了。'.repeat(10_000));
  await chat.waitForBotMessage(/太长/);
  await screenshot(page, 'widget-too-long.png');
  expect(await page.getByText(/发送失败|Send failed/).count()).toBe(0);
  expect(errors.filter((e) => /413|Failed to post/.test(e))).toEqual([]);
  await context.close();
});
