import { UserError } from '../../contracts/index.js';
import { looksLikeCloudflare, mapCloudflare } from './cloudflare-log.js';
import { looksLikeKong, mapKong } from './kong-log.js';
import { looksLikeLangfuse, mapLangfuse } from './langfuse-export.js';
import { looksLikeLitellm, mapLitellm } from './litellm-log.js';
import type { Json, RecordMapper } from './log-record.js';
import { isObject } from './log-record.js';

/** The gateway and observability log formats read besides native events. */
export type LogFormat = 'litellm' | 'cloudflare' | 'kong' | 'langfuse';
/** What a record looks like: a native event, one of the log formats, or OTLP. */
export type RecordFormat = LogFormat | 'ndjson' | 'otlp';

interface LogFormatDef {
  label: string;
  looksLike: (r: Json) => boolean;
  map: RecordMapper;
}

export const LOG_FORMATS: Record<LogFormat, LogFormatDef> = {
  litellm: { label: 'LiteLLM logging payload / spend log', looksLike: looksLikeLitellm, map: mapLitellm },
  cloudflare: { label: 'Cloudflare AI Gateway Logpush', looksLike: looksLikeCloudflare, map: mapCloudflare },
  kong: { label: 'Kong AI Gateway log', looksLike: looksLikeKong, map: mapKong },
  langfuse: { label: 'Langfuse export', looksLike: looksLikeLangfuse, map: (r) => mapLangfuse(r) },
};

export const isLogFormat = (f: string): f is LogFormat => Object.hasOwn(LOG_FORMATS, f);

/** Every format one record matches (native events have `account_id` and `request`). */
export function recordFormats(r: unknown): RecordFormat[] {
  if (!isObject(r)) return [];
  const found: RecordFormat[] = [];
  if (typeof r.account_id === 'string' && isObject(r.request)) found.push('ndjson');
  if (Array.isArray(r.resourceSpans)) found.push('otlp');
  for (const [name, def] of Object.entries(LOG_FORMATS)) if (def.looksLike(r)) found.push(name as LogFormat);
  return found;
}

/**
 * The format of a file from its first records (at most a few, from its first 64 KiB): the one
 * format they match. Records matching none are left to be rejected; none matching anything is
 * native NDJSON (whose reader says what each line lacks). Records matching two formats, or two
 * records matching different ones, are refused as UNKNOWN_FORMAT: guessing would map every line
 * wrongly.
 */
export function formatOfRecords(file: string, records: readonly unknown[]): RecordFormat {
  const seen = new Set<RecordFormat>();
  for (const r of records) {
    const formats = recordFormats(r);
    if (formats.length > 1) throw ambiguous(file, formats);
    if (formats.length === 1) seen.add(formats[0]!);
  }
  if (seen.size > 1) throw ambiguous(file, [...seen]);
  return seen.values().next().value ?? 'ndjson';
}

function ambiguous(file: string, formats: RecordFormat[]): UserError {
  return new UserError(
    'UNKNOWN_FORMAT',
    `${file}: its first records look like more than one log format (${formats.join(', ')}); ` +
      `name the format with --format ${formats.join('|')}`,
  );
}
