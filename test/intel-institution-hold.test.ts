import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Findings, Truth, type StixObject } from '../src/contracts/index.js';
import { MEMBER_EXPORT, okIn, runCli, simulatedMember } from './cli-harness.js';

/*
 * Issues 17 and 19: on small seed 1 a course's students (one university, one notebook with a
 * step-by-step exercise) are one cluster at review. Shared as a campaign, its campus network and
 * the university's mail domain would leave as attack indicators on the detector's word alone.
 * `intel export` holds such a group until a person confirms it (`--confirm`).
 */

const SEED = 1;

describe(`intel export holds one academic institution's group (simulate --scale small --seed ${SEED})`, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dg-institution-'));
  const run = (args: readonly string[]) => runCli(args, { cwd: dir, timeout: 180_000 });
  const ok = okIn(dir);
  const exportArgs = MEMBER_EXPORT;
  const campaigns = (file: string): StixObject[] =>
    (JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { objects: StixObject[] }).objects.filter(
      (o) => o.type === 'campaign',
    );
  let course: { cluster_id: string; level: string; size: number; students: number };
  let others: number;

  beforeAll(async () => {
    await simulatedMember(dir, SEED);
    const truth = Truth.parse(JSON.parse(readFileSync(path.join(dir, 'truth.json'), 'utf8')));
    const findings = Findings.parse(JSON.parse(readFileSync(path.join(dir, 'findings.json'), 'utf8')));
    const students = new Set(
      Object.entries(truth.accounts)
        .filter(([, t]) => t.actor === 'trap:course-cohort')
        .map(([id]) => id),
    );
    const held = findings.clusters.filter((c) => c.account_ids.some((id) => students.has(id)));
    expect(held).toHaveLength(1);
    const c = held[0]!;
    course = {
      cluster_id: c.cluster_id,
      level: c.level,
      size: c.account_ids.length,
      students: c.account_ids.filter((id) => students.has(id)).length,
    };
    // What the default policy would share but for the hold: at review or above, three accounts or more.
    others = findings.clusters.filter(
      (x) => x !== c && (x.level === 'review' || x.level === 'act') && x.account_ids.length >= 3,
    ).length;
  }, 400_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the course at review, one cluster of students (the case the hold is for)', () => {
    expect(course.level).toBe('review');
    expect(course.students).toBe(course.size);
  });

  it('withholds the course and says which institution and how to confirm it', async () => {
    const dry = await ok([...exportArgs, '--dry-run']);
    const line = dry.split('\n').find((l) => l.includes(`cluster ${course.cluster_id}`));
    expect(line).toMatch(
      /one academic institution's group \(\d+ of \d+ accounts signed up with [a-z0-9.-]+\.(?:edu|edu\.[a-z]{2}|ac\.[a-z]{2})\)/,
    );
    expect(line).toContain(`--confirm ${course.cluster_id}`);
    await ok([...exportArgs, '--out', 'held.json']);
    expect(campaigns('held.json').length).toBeGreaterThan(0);
    // Every other cluster the policy admits still leaves (none of them is an institution's group).
    expect(campaigns('held.json').length).toBeLessThanOrEqual(others);
  });

  it('shares the course once a person confirms it, and refuses a cluster id the findings lack', async () => {
    await ok([...exportArgs, '--out', 'held.json']);
    await ok([...exportArgs, '--confirm', course.cluster_id, '--out', 'confirmed.json']);
    expect(campaigns('confirmed.json').length).toBe(campaigns('held.json').length + 1);
    const bad = await run([...exportArgs, '--confirm', 'cl_0000000000', '--dry-run']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--confirm cl_0000000000: findings.json has no cluster of that id');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});
