import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { LEVEL_COLOURS } from '../src/contracts/index.js';
import { levelColouredPixels } from './graph-pixels.js';

export interface FlowResult {
  overview: { events: string; accounts: string; clusters: string };
  clusterId: string;
  /** The "why this level" sentences the cluster page and a member's account page show. */
  clusterExplanation: string;
  accountId: string;
  accountExplanation: string;
  graphPixels: number;
  caseId: string;
  decisionAccount: string;
  /** The decision panel on the case: the action in force, and the action it started on. */
  actionInForce: string;
  actionPanelStartedOn: string;
  /** What the panel said before letting an unexpiring (maybe weaker) Throttle through. */
  confirmText: string;
  /** The action column of the audit log page, newest first. */
  auditActions: string[];
  consoleErrors: string[];
}

type Shot = (name: string) => Promise<unknown>;

async function overviewStep(page: Page, baseUrl: string, shot: Shot): Promise<FlowResult['overview']> {
  await page.goto(`${baseUrl}/#/overview`);
  const statValue = (id: string) => page.getByTestId(id).locator('.stat-value').innerText();
  await page.getByTestId('overview-timeline').waitFor();
  await page.getByTestId('top-clusters').waitFor();
  const overview = {
    events: await statValue('stat-events'),
    accounts: await statValue('stat-accounts'),
    clusters: await statValue('stat-clusters'),
  };
  await shot('01-overview');
  return overview;
}

/** From the overview into the top cluster and its graph. */
async function clusterStep(
  page: Page,
  shot: Shot,
): Promise<Pick<FlowResult, 'clusterId' | 'graphPixels' | 'clusterExplanation'>> {
  // The table opens sorted by severity (level, then score), so the first row is the top cluster.
  const topRow = page.getByTestId('top-clusters').locator('tbody tr').first();
  const clusterId = (await topRow.locator('td').first().innerText()).trim();
  await topRow.click();
  await page.waitForURL(/#\/clusters\/.+/);
  const graph = page.getByTestId('linkage-graph');
  await graph.locator('canvas').first().waitFor();
  await page.getByTestId('cluster-members').waitFor();
  await page.getByTestId('current-action').waitFor();
  await page.waitForTimeout(800); // let sigma draw its first frame
  const graphPixels = await levelColouredPixels(graph, Object.values(LEVEL_COLOURS));
  const clusterExplanation = (await page.getByTestId('level-explanation').textContent()) ?? '';
  await shot('02-cluster');
  return { clusterId, graphPixels, clusterExplanation };
}

/** From the cluster page: open a case, comment on it and set a decision from its panel. */
async function caseStep(
  page: Page,
  shot: Shot,
  clusterId: string,
): Promise<
  Pick<FlowResult, 'caseId' | 'actionInForce' | 'actionPanelStartedOn' | 'confirmText' | 'decisionAccount'>
> {
  await page.getByTestId('open-case').click();
  await page.waitForURL(/#\/cases\/.+/);
  const caseId = decodeURIComponent(new URL(page.url()).hash.replace(/^#\/cases\//, ''));
  await page.getByTestId('decision-panel').waitFor();
  await page.getByTestId('evidence').first().waitFor();

  await page.getByRole('radio', { name: 'Investigating' }).click();
  await page.getByTestId('case-status').filter({ hasText: 'Investigating' }).waitFor();
  await page
    .locator('textarea[name=comment]')
    .fill(
      'Shared payment fingerprint and one prompt template across the cluster; throttling while we confirm.',
    );
  await page.getByTestId('add-comment').click();
  await page.getByTestId('comments').getByText('throttling while we confirm').waitFor();

  const panel = page.getByTestId('decision-panel');
  const actionInForce = (await panel.getByTestId('current-action').textContent()) ?? '';
  const startedOn = panel.getByRole('radio', { checked: true });
  await startedOn.waitFor();
  const actionPanelStartedOn = (await startedOn.textContent()) ?? '';
  await panel.getByRole('radio', { name: 'Throttle' }).click();
  await panel
    .locator('textarea[name=reason]')
    .fill(`Case ${caseId}: coordinated extraction cluster ${clusterId}`);
  // No expiry chosen: the panel asks for a confirmation before overriding policy for good.
  await panel.getByTestId('set-decision').click();
  const confirm = panel.getByTestId('decision-confirm');
  await confirm.waitFor();
  const confirmText = (await confirm.textContent()) ?? '';
  await shot('03-decision-confirm');
  await panel.getByTestId('confirm-decision').click();
  await panel.locator('.form-status.ok').waitFor();
  await panel.getByTestId('current-action').filter({ hasText: 'Throttle' }).waitFor();
  const decisionAccount = (await panel.getAttribute('data-account')) ?? '';
  await shot('03-case');
  return { caseId, actionInForce, actionPanelStartedOn, confirmText, decisionAccount };
}

/** Back to the cluster, into its first member's account page. */
async function accountStep(
  page: Page,
  baseUrl: string,
  shot: Shot,
  clusterId: string,
): Promise<Pick<FlowResult, 'accountId' | 'accountExplanation'>> {
  await page.goto(`${baseUrl}/#/clusters/${encodeURIComponent(clusterId)}`);
  const member = page.getByTestId('cluster-members').locator('tbody tr').first();
  await member.click();
  await page.waitForURL(/#\/accounts\/.+/);
  await page.getByTestId('evidence').or(page.getByText('No detector fired.')).first().waitFor();
  await page.getByTestId('current-action').waitFor();
  const accountId = decodeURIComponent(new URL(page.url()).hash.replace(/^#\/accounts\//, ''));
  const accountExplanation = (await page.getByTestId('level-explanation').textContent()) ?? '';
  await shot('06-account');
  return { accountId, accountExplanation };
}

/** A page of the dashboard, screenshotted once the element that shows it loaded is there. */
async function visit(page: Page, shot: Shot, url: string, testId: string, name: string): Promise<void> {
  await page.goto(url);
  await page.getByTestId(testId).first().waitFor();
  await shot(name);
}

/**
 * The analyst's path through the dashboard: overview, the top cluster and its graph, a case
 * opened from it, a decision set from the case. Screenshots of every step go to `outDir`.
 */
export async function runDashboardFlow(
  context: BrowserContext,
  baseUrl: string,
  outDir: string,
): Promise<FlowResult> {
  // Screenshots of an earlier run must not pass for this one's.
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on('pageerror', (err) => consoleErrors.push(err.message));
  page.on('console', (msg) => {
    // A 404 for "no decision yet" or the favicon is an answer, not a fault in the page.
    if (msg.type() === 'error' && !/status of 404/.test(msg.text())) consoleErrors.push(msg.text());
  });
  const shot: Shot = (name) => page.screenshot({ path: path.join(outDir, `${name}.png`), fullPage: true });

  try {
    const overview = await overviewStep(page, baseUrl, shot);
    const cluster = await clusterStep(page, shot);
    const decided = await caseStep(page, shot, cluster.clusterId);
    await visit(page, shot, `${baseUrl}/#/cases`, 'case-card', '04-cases-board');
    await visit(page, shot, `${baseUrl}/#/decisions`, 'decisions-table', '05-decisions');
    const account = await accountStep(page, baseUrl, shot, cluster.clusterId);
    await visit(page, shot, `${baseUrl}/#/policy`, 'policy-yaml', '07-policy');
    await visit(page, shot, `${baseUrl}/#/signals`, 'signals-table', '08-signals');

    await page.goto(`${baseUrl}/#/audit`);
    const audit = page.getByTestId('audit-table');
    await audit.waitFor();
    const auditActions = await audit.locator('tbody tr td:nth-child(3)').allInnerTexts();
    await shot('09-audit');

    await page.close();
    return { overview, ...cluster, ...account, ...decided, auditActions, consoleErrors };
  } catch (err) {
    // The page as it was when a step failed is the first thing to look at.
    await shot('failure').catch(() => undefined);
    throw err;
  }
}
