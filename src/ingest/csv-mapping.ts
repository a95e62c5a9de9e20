import { UserError } from '../contracts/index.js';

type ColumnType = 'string' | 'number' | 'int' | 'boolean' | 'json';

interface CsvField {
  /** Where the value goes in the event (dot path); '' for columns that build the messages. */
  path: string;
  type: ColumnType;
}

/**
 * CSV fields, by their default column name. `--csv-map field=column` renames a column; the
 * documented table in docs/ingest.md is this list.
 */
export const CSV_FIELDS = {
  id: { path: 'id', type: 'string' },
  ts: { path: 'ts', type: 'string' },
  account_id: { path: 'account_id', type: 'string' },
  api_key_id: { path: 'api_key_id', type: 'string' },
  end_user_id: { path: 'end_user_id', type: 'string' },
  model: { path: 'model', type: 'string' },
  endpoint: { path: 'endpoint', type: 'string' },
  client_ip: { path: 'client.ip', type: 'string' },
  asn: { path: 'client.asn', type: 'int' },
  country: { path: 'client.country', type: 'string' },
  user_agent: { path: 'client.user_agent', type: 'string' },
  conversation_id: { path: 'request.conversation_id', type: 'string' },
  system_prompt: { path: '', type: 'string' },
  prompt: { path: '', type: 'string' },
  messages: { path: '', type: 'json' },
  temperature: { path: 'request.params.temperature', type: 'number' },
  top_p: { path: 'request.params.top_p', type: 'number' },
  max_tokens: { path: 'request.params.max_tokens', type: 'int' },
  n: { path: 'request.params.n', type: 'int' },
  logprobs: { path: 'request.params.logprobs', type: 'boolean' },
  top_logprobs: { path: 'request.params.top_logprobs', type: 'int' },
  stream: { path: 'request.params.stream', type: 'boolean' },
  tools: { path: 'request.params.tools', type: 'int' },
  response_text: { path: 'response.text', type: 'string' },
  reasoning_tokens: { path: 'response.reasoning_tokens', type: 'int' },
  finish_reason: { path: 'response.finish_reason', type: 'string' },
  refused: { path: 'response.refused', type: 'boolean' },
  input_tokens: { path: 'usage.input_tokens', type: 'int' },
  output_tokens: { path: 'usage.output_tokens', type: 'int' },
} satisfies Record<string, CsvField>;

export type CsvFieldName = keyof typeof CSV_FIELDS;
export type CsvColumnMap = Partial<Record<CsvFieldName, string>>;

const REQUIRED: CsvFieldName[] = ['id', 'ts', 'account_id', 'model'];

/** Parses `field=column,field=column` (the `--csv-map` flag). */
export function parseCsvMap(spec: string): CsvColumnMap {
  const map: CsvColumnMap = {};
  for (const pair of spec.split(',')) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    const field = pair.slice(0, eq).trim();
    const column = pair.slice(eq + 1).trim();
    if (eq < 0 || column === '' || !Object.hasOwn(CSV_FIELDS, field)) {
      throw new UserError(
        'INVALID_ARGUMENT',
        `--csv-map entry "${pair}" is not FIELD=COLUMN with a known FIELD; fields are ${Object.keys(CSV_FIELDS).join(', ')}`,
      );
    }
    map[field as CsvFieldName] = column;
  }
  return map;
}

export interface BoundColumn {
  field: CsvFieldName;
  column: string;
  index: number;
}

/** Matches a header row against the mapping; a missing required column is a user error. */
export function bindHeader(file: string, header: string[], map: CsvColumnMap): BoundColumn[] {
  const index = new Map(header.map((h, i) => [h.trim(), i]));
  const bound: BoundColumn[] = [];
  for (const field of Object.keys(CSV_FIELDS) as CsvFieldName[]) {
    const column = map[field] ?? field;
    const i = index.get(column);
    if (i !== undefined) bound.push({ field, column, index: i });
  }
  const has = new Set(bound.map((b) => b.field));
  const missing = REQUIRED.filter((f) => !has.has(f));
  if (!has.has('prompt') && !has.has('messages')) missing.push('prompt');
  if (missing.length > 0) {
    const names = missing.map((f) => `${f} (column "${map[f] ?? f}")`).join(', ');
    throw new UserError(
      'INVALID_INPUT',
      `${file}: the CSV header has no column for ${names}; its columns are ${header.join(', ')}. ` +
        `Name the right columns with --csv-map FIELD=COLUMN,...`,
    );
  }
  return bound;
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * Builds the event object from one CSV row. Values that do not convert are left as strings so
 * validation reports them as `wrong_type` naming the field.
 */
export function rowToEvent(row: string[], columns: BoundColumn[]): Record<string, unknown> {
  const event: Record<string, unknown> = {};
  let systemPrompt: string | undefined;
  let prompt: string | undefined;
  let messages: unknown;
  for (const { field, index } of columns) {
    const rawValue = row[index];
    if (rawValue === undefined || rawValue === '') continue;
    const def: CsvField = CSV_FIELDS[field];
    const value = convert(rawValue, def.type);
    if (field === 'system_prompt') systemPrompt = rawValue;
    else if (field === 'prompt') prompt = rawValue;
    else if (field === 'messages') messages = value;
    else setPath(event, def.path, value);
  }
  if (messages !== undefined) {
    setPath(event, 'request.messages', messages);
  } else if (prompt !== undefined || systemPrompt !== undefined) {
    const list: { role: string; content: string }[] = [];
    if (systemPrompt !== undefined) list.push({ role: 'system', content: systemPrompt });
    if (prompt !== undefined) list.push({ role: 'user', content: prompt });
    setPath(event, 'request.messages', list);
  }
  return event;
}

function convert(s: string, type: ColumnType): unknown {
  switch (type) {
    case 'string':
      return s;
    case 'number':
    case 'int':
      return NUMBER.test(s.trim()) ? Number(s) : s;
    case 'boolean': {
      const v = s.trim().toLowerCase();
      if (v === 'true' || v === '1' || v === 'yes') return true;
      if (v === 'false' || v === '0' || v === 'no') return false;
      return s;
    }
    case 'json':
      try {
        return JSON.parse(s) as unknown;
      } catch {
        return s;
      }
  }
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur = target;
  for (let i = 0; i < keys.length - 1; i++) {
    const k = keys[i]!;
    let next = cur[k] as Record<string, unknown> | undefined;
    if (next === undefined) {
      next = {};
      cur[k] = next;
    }
    cur = next;
  }
  cur[keys[keys.length - 1]!] = value;
}

/** The column a field path came from, to name it in rejection messages. */
export function columnForPath(columns: BoundColumn[], path: string): string | undefined {
  if (path.startsWith('request.messages')) {
    return columns.find((c) => c.field === 'messages' || c.field === 'prompt')?.column;
  }
  for (const c of columns) {
    const def: CsvField = CSV_FIELDS[c.field];
    if (def.path !== '' && def.path === path) return c.column;
  }
  return undefined;
}
