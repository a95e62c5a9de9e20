import { describe, expect, it } from 'vitest';
import { accountHref, clusterHref, href, parseRoute } from './route.js';

describe('parseRoute', () => {
  it('sends an empty hash to the overview', () => {
    expect(parseRoute('')).toEqual({ page: 'overview' });
    expect(parseRoute('#/')).toEqual({ page: 'overview' });
  });

  it('reads detail pages and decodes their ids', () => {
    expect(parseRoute(clusterHref('cl 7/a'))).toEqual({ page: 'cluster', id: 'cl 7/a' });
    expect(parseRoute(accountHref('acct_1'))).toEqual({ page: 'account', id: 'acct_1' });
    expect(parseRoute('#/cases/42')).toEqual({ page: 'case', id: '42' });
  });

  it('keeps list filters from the query string', () => {
    expect(parseRoute(href('/accounts', { level: 'act', q: 'acct', cluster: 'cl_2' }))).toEqual({
      page: 'accounts',
      level: 'act',
      q: 'acct',
      cluster: 'cl_2',
    });
    expect(parseRoute('#/clusters?level=review')).toEqual({ page: 'clusters', level: 'review' });
    expect(parseRoute(href('/signals', { detector: 'reasoning-elicitation' }))).toEqual({
      page: 'signals',
      detector: 'reasoning-elicitation',
    });
  });

  it('reports unknown paths instead of guessing', () => {
    expect(parseRoute('#/nope/1')).toEqual({ page: 'not-found', path: '/nope/1' });
  });
});

describe('href', () => {
  it('drops empty filters', () => {
    expect(href('/accounts', { level: undefined, q: '' })).toBe('#/accounts');
  });
});
