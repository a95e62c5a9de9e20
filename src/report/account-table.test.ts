import { describe, expect, it } from 'vitest';
import type { AccountFinding, Level } from '../contracts/index.js';
import { accountTable, selectAccounts } from './account-table.js';

const account = (i: number, level: Level, score: number): AccountFinding => ({
  account_id: `acct_${i}`,
  level,
  score,
  events: i,
  cluster_id: i % 2 ? 'cl_x' : null,
  signals: [],
});

describe('selectAccounts', () => {
  const accounts = [
    account(1, 'none', 0.1),
    account(2, 'act', 0.9),
    account(3, 'monitor', 0.45),
    account(4, 'review', 0.6),
    account(5, 'none', 0.2),
    account(6, 'review', 0.55),
  ];
  it('keeps all review and act accounts, then the highest-scoring others', () => {
    const { rows, omitted } = selectAccounts(accounts, 2);
    expect(rows.map((a) => a.account_id)).toEqual(['acct_2', 'acct_4', 'acct_6', 'acct_3', 'acct_5']);
    expect(omitted).toBe(1);
  });
  it('links clusters that have a section and says how many rows were left out', () => {
    const out = accountTable(accounts, new Set(['cl_x']), 2).value;
    expect(out).toContain('href="#cluster-cl_x"');
    expect(out).toContain('1 lower-scoring accounts are left out');
    expect(out.match(/<tr data-level=/g)).toHaveLength(5);
  });
});
