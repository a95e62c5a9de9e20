import { afterAll, beforeAll, expect } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { startDemoServer, type RunningServer } from './demo-server.js';

type Server = Pick<RunningServer, 'baseUrl' | 'apiKey'> & { stop?: () => Promise<void> };

export interface DashboardSession {
  readonly server: Server;
  readonly browser: Awaited<ReturnType<typeof launchChromium>>;
  /** GET an API path with the session's key; the status must be 200. */
  apiGet: <T>(path: string) => Promise<T>;
}

/**
 * A browser signed in to the dashboard for one describe block: E2E_BASE_URL and E2E_API_KEY point
 * it at a server already running with data (as in dashboard.e2e.ts); otherwise it starts the built
 * server with demo data. `watch` sees the browser context before any page opens.
 */
export function dashboardSession(watch?: (context: BrowserContext) => void): DashboardSession {
  const external = process.env.E2E_BASE_URL;
  let server: Server | undefined;
  let browser: DashboardSession['browser'] | undefined;
  beforeAll(async () => {
    server = external
      ? { baseUrl: external, apiKey: process.env.E2E_API_KEY ?? '' }
      : await startDemoServer();
    browser = await launchChromium();
    await browser.context.addInitScript(
      (key) => window.localStorage.setItem('distillguard.apiKey', key),
      server.apiKey,
    );
    watch?.(browser.context);
  }, 900_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop?.();
  });
  return {
    get server() {
      return server!;
    },
    get browser() {
      return browser!;
    },
    apiGet: async <T>(p: string): Promise<T> => {
      const res = await fetch(`${server!.baseUrl}${p}`, {
        headers: { authorization: `Bearer ${server!.apiKey}` },
      });
      expect(res.status, `GET ${p}`).toBe(200);
      return (await res.json()) as T;
    },
  };
}
