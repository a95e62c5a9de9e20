import { describe, expect, it } from 'vitest';
import type { AccountFinding, Level } from '../contracts/index.js';
import { accountTable, selectAccounts } from './account-table.js';

// Strength, not the saturating score, orders accounts within a level.
const account = (i: number, level: Level, strength: number): AccountFinding => ({
  account_id: `acct_${i}`,
  level,
  score: Math.min(0.95, strength / (strength + 3)),
  strength,
  events: i,
  cluster_id: i % 2 ? 'cl_x' : null,
  signals: [],
});

describe('selectAccounts', () => {
  const accounts = [
    account(1, 'none', 0.3),
    account(2, 'act', 80),
    account(3, 'monitor', 2.5),
    account(4, 'review', 90),
    account(5, 'none', 0.6),
    account(6, 'review', 60),
  ];
  it('keeps all review and act accounts, strongest first, then the strongest others', () => {
    const { rows, omitted } = selectAccounts(accounts, 2);
    expect(rows.map((a) => a.account_id)).toEqual(['acct_2', 'acct_4', 'acct_6', 'acct_3', 'acct_5']);
    expect(omitted).toBe(1);
  });
  it('links clusters that have a section and says how many rows were left out', () => {
    const out = accountTable(accounts, new Set(['cl_x']), 2).value;
    expect(out).toContain('href="#cluster-cl_x"');
    expect(out).toContain('1 weaker accounts are left out');
    expect(out.match(/<tr data-level=/g)).toHaveLength(5);
  });
});
