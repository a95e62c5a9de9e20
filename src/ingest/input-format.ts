export type InputFormat = 'ndjson' | 'csv' | 'otlp';
export type FormatOption = InputFormat | 'auto';

/**
 * Picks the format of one file: an explicit choice wins; else a `.csv` name (also `.csv.gz`);
 * else the content: a JSON object mentioning `resourceSpans` near its start is OTLP; else NDJSON.
 */
export function detectFormat(path: string, head: Buffer, option: FormatOption = 'auto'): InputFormat {
  if (option !== 'auto') return option;
  const name = path.toLowerCase().replace(/\.gz$/, '');
  if (name.endsWith('.csv')) return 'csv';
  const text = head.subarray(0, 64 * 1024).toString('utf8');
  const start = text.replace(/^\uFEFF/, '').trimStart();
  if (start.startsWith('{') && text.includes('"resourceSpans"')) return 'otlp';
  return 'ndjson';
}
