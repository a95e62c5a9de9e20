import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listAudit, listBenignReference, type CoreDatabase } from '../store/index.js';
import { openCoreTestDatabase, type TestDatabase } from '../../test/store-harness.js';
import { CasePatch, CaseService, NewCase } from './case-service.js';
import { DecisionBook } from './decision-book.js';
import { loadResponsePolicy } from './response-policy.js';

describe('CaseService', () => {
  let t: TestDatabase<CoreDatabase>;
  let book: DecisionBook;
  let benign: string[];
  let svc: CaseService;
  beforeEach(async () => {
    t = await openCoreTestDatabase();
    book = await DecisionBook.open(t.db, loadResponsePolicy());
    benign = [];
    const clusters: Record<string, string[]> = { cl_1: ['a1', 'a2', 'a3'] };
    svc = new CaseService({
      db: t.db,
      decisions: book,
      subjects: {
        clusterMembers: (id) => clusters[id] ?? null,
        clusterOf: (acct) => Object.keys(clusters).find((c) => clusters[c]?.includes(acct)) ?? null,
      },
      onBenign: (ids) => void benign.push(...ids),
    });
  });
  afterEach(async () => t.dispose());

  it('runs a cluster case to actioned: every member is blocked, every step audited', async () => {
    const c = await svc.create(
      'analyst-1',
      NewCase.parse({ subject_type: 'cluster', subject_id: 'cl_1', title: 'Hydra' }),
    );
    expect(c.status).toBe('open');
    await svc.update('analyst-1', c.id, CasePatch.parse({ assignee: 'dana', status: 'investigating' }));
    await svc.comment('analyst-1', c.id, 'Same card on all three.');
    await svc.update('analyst-1', c.id, CasePatch.parse({ status: 'actioned' }));
    for (const a of ['a1', 'a2', 'a3'])
      expect(book.get(a)).toMatchObject({
        action: 'block',
        source: 'manual',
        scope: 'cluster',
        cluster_id: 'cl_1',
      });
    const got = await svc.get(c.id);
    expect(got.case).toMatchObject({ status: 'actioned', assignee: 'dana' });
    expect(got.comments.map((x) => x.body)).toEqual(['Same card on all three.']);
    const audit = (await listAudit(t.db, 50)).map((e) => e.action).reverse();
    expect(audit).toEqual([
      'case.create',
      'case.update',
      'case.comment',
      'case.update',
      'case.outcome.actioned',
    ]);
  });

  it('turns a false positive into an allow and a benign reference', async () => {
    const c = await svc.create(
      'analyst-1',
      NewCase.parse({ subject_type: 'account', subject_id: 'a2', title: 'eval bot' }),
    );
    await svc.update('analyst-2', c.id, CasePatch.parse({ status: 'false_positive' }));
    expect(book.get('a2')).toMatchObject({ action: 'allow', source: 'manual', cluster_id: 'cl_1' });
    expect(benign).toEqual(['a2']);
    expect(await listBenignReference(t.db)).toEqual(['a2']);
  });

  it('pages, filters, and refuses unknown subjects and cases', async () => {
    for (let i = 0; i < 5; i++)
      await svc.create(
        'x',
        NewCase.parse({ subject_type: 'account', subject_id: `a${i}`, title: `t${i}` }),
        1000 + i,
      );
    const p1 = await svc.list({ limit: 2 });
    expect(p1.items.map((c) => c.title)).toEqual(['t4', 't3']);
    const p2 = await svc.list({ limit: 2, cursor: p1.next ?? undefined });
    const p3 = await svc.list({ limit: 2, cursor: p2.next ?? undefined });
    expect([...p2.items, ...p3.items].map((c) => c.title)).toEqual(['t2', 't1', 't0']);
    expect(p3.next).toBeNull();
    expect((await svc.list({ limit: 10, status: 'closed' })).items).toEqual([]);
    await expect(
      svc.create('x', NewCase.parse({ subject_type: 'cluster', subject_id: 'cl_404', title: 't' })),
    ).rejects.toThrow(/No cluster cl_404/);
    await expect(svc.get('case_nope')).rejects.toThrow(/No case case_nope/);
    await expect(svc.list({ limit: 2, cursor: 'garbage' })).rejects.toThrow(/cursor/);
    expect(CasePatch.safeParse({}).success).toBe(false);
  });
});
