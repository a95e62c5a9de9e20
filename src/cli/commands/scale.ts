import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { readEnv, ScaleFindingsConfig, ScaleStatusConfig, UserError } from '../../contracts/index.js';
import type { ScaleDb } from '../../store/index.js';
import { addConfigFlags, configFromFlags, type Flags } from '../config-flags.js';
import { checkOutputFile } from '../output-paths.js';

/** The workers' database, as `worker` finds it (flag, then $DISTILLGUARD_DATABASE_URL). */
async function openWorkersDatabase(flag: string | undefined): Promise<ScaleDb> {
  const url = flag ?? readEnv('DISTILLGUARD_DATABASE_URL');
  if (!url || !/^postgres(ql)?:\/\//.test(url))
    throw new UserError(
      'INVALID_ARGUMENT',
      'pass the workers’ database as --database-url postgres://… or set DISTILLGUARD_DATABASE_URL',
    );
  // The store and pipeline modules load when a scale command runs, not with the CLI (see gateway.ts).
  const { openScaleStore } = await import('../../store/index.js');
  return openScaleStore({ url, schema: readEnv('DISTILLGUARD_DB_SCHEMA') });
}

const ago = (ms: number): string =>
  ms < 120_000
    ? `${Math.round(ms / 1000)} s`
    : ms < 7_200_000
      ? `${Math.round(ms / 60_000)} min`
      : `${(ms / 3_600_000).toFixed(1)} h`;

export interface ScaleStatus {
  stream: string | null;
  partitions: {
    partition: number;
    owner: string | null;
    /** live: lease held; expired: its owner stopped renewing (dead, or about to be replaced); free. */
    lease: 'live' | 'expired' | 'free';
    applied: number;
    /** Messages not yet applied (null without --nats). */
    lag: number | null;
  }[];
  applied: number;
  lag: number | null;
  findings: {
    generated_at: string;
    age_seconds: number;
    /** Events the findings cover: equal to `applied` when they are up to date. */
    events: number;
    accounts: number;
    clusters: number;
  } | null;
}

export function registerScale(program: Command): void {
  const scale = program
    .command('scale')
    .description('look into a scale-out deployment: its partitions and its newest findings');

  addConfigFlags(
    scale
      .command('status')
      .description('per partition: owner, events applied and lag; and the newest findings’ age'),
    ScaleStatusConfig,
  ).action(async (raw: Flags) => {
    const flags = configFromFlags(ScaleStatusConfig, raw);
    const db = await openWorkersDatabase(flags.databaseUrl);
    try {
      const status = await readStatus(db, flags.nats);
      process.stdout.write(flags.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
    } finally {
      await db.destroy();
    }
  });

  addConfigFlags(
    scale.command('findings').description('write the newest findings the workers scored (findings.v1 JSON)'),
    ScaleFindingsConfig,
  ).action(async (raw: Flags) => {
    const flags = configFromFlags(ScaleFindingsConfig, raw);
    checkOutputFile('--out', flags.out);
    const db = await openWorkersDatabase(flags.databaseUrl);
    try {
      const { latestScaleFindings } = await import('../../store/index.js');
      const findings = await latestScaleFindings(db);
      if (!findings)
        throw new UserError(
          'NOT_FOUND',
          'no findings in this database yet: the workers have not scored (see worker --score-every)',
        );
      await writeFile(flags.out, `${JSON.stringify(findings, null, 2)}\n`);
      process.stdout.write(
        `wrote ${flags.out}: ${findings.accounts.length.toLocaleString('en')} accounts, ${findings.clusters.length.toLocaleString('en')} clusters, generated ${findings.generated_at} (${ago(Date.now() - Date.parse(findings.generated_at))} ago)\n`,
      );
    } finally {
      await db.destroy();
    }
  });
}

async function readStatus(db: ScaleDb, natsUrl: string | undefined): Promise<ScaleStatus> {
  const [{ connectNats, consumerOf }, { boundScaleTopology, latestScaleFindings, scaleProgress }] =
    await Promise.all([import('../../pipeline/index.js'), import('../../store/index.js')]);
  const now = Date.now();
  const topology = await boundScaleTopology(db);
  const progress = await scaleProgress(db);
  const lags = new Map<number, number>();
  if (natsUrl && topology) {
    const nc = await connectNats(natsUrl, { maxReconnectAttempts: 0 });
    try {
      const jsm = await nc.jetstreamManager();
      for (const p of progress.partitions) {
        const info = await jsm.consumers
          .info(topology.stream, consumerOf(topology, p.partition))
          .catch(() => null);
        if (info) lags.set(p.partition, info.num_pending + info.num_ack_pending);
      }
    } finally {
      await nc.close().catch(() => undefined);
    }
  }
  const findings = await latestScaleFindings(db);
  const withLag = natsUrl !== undefined && topology !== null;
  return {
    stream: topology?.stream ?? null,
    partitions: progress.partitions.map((p) => ({
      partition: p.partition,
      owner: p.owner,
      lease: p.owner === null ? 'free' : p.lease_until >= now ? 'live' : 'expired',
      applied: p.events,
      lag: withLag ? (lags.get(p.partition) ?? null) : null,
    })),
    applied: progress.events,
    lag: withLag ? [...lags.values()].reduce((a, b) => a + b, 0) : null,
    findings: findings && {
      generated_at: findings.generated_at,
      age_seconds: Math.round((now - Date.parse(findings.generated_at)) / 1000),
      events: findings.input.events,
      accounts: findings.accounts.length,
      clusters: findings.clusters.length,
    },
  };
}

function formatStatus(s: ScaleStatus): string {
  if (s.stream === null) return 'no worker has used this database yet\n';
  const n = (v: number) => v.toLocaleString('en');
  const rows = s.partitions.map((p) => [
    String(p.partition),
    p.owner ?? '-',
    p.lease,
    n(p.applied),
    p.lag === null ? '-' : n(p.lag),
  ]);
  const head = ['partition', 'owner', 'lease', 'applied', 'lag'];
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 1 || i === 2 ? c.padEnd(width[i]!) : c.padStart(width[i]!))).join('  ');
  const unowned = s.partitions.filter((p) => p.lease !== 'live').length;
  return [
    `stream ${s.stream}, ${s.partitions.length} partitions`,
    line(head),
    ...rows.map(line),
    `applied ${n(s.applied)} events; lag ${s.lag === null ? 'unknown (pass --nats)' : n(s.lag)}; ${unowned === 0 ? 'every partition has a live lease' : `${unowned} partitions without a live lease`}`,
    s.findings
      ? `newest findings ${ago(s.findings.age_seconds * 1000)} old (${s.findings.generated_at}): ${n(s.findings.accounts)} accounts, ${n(s.findings.clusters)} clusters; ${s.findings.events === s.applied ? 'cover every applied event (scoring runs again only when something changed)' : `cover ${n(s.findings.events)} of ${n(s.applied)} applied events`}`
      : 'no findings yet',
    '',
  ].join('\n');
}
