import { z } from 'zod';
import { UserError } from '../contracts/index.js';
import { l2normalize, type Embedder } from './embedder.js';

const EmbeddingsResponse = z.object({
  data: z.array(z.object({ index: z.int(), embedding: z.array(z.number()) })),
});

export interface RemoteEmbedderOptions {
  /** Base URL of an OpenAI-compatible API, e.g. http://localhost:8080/v1 */
  baseUrl: string;
  model: string;
  apiKey?: string;
  batchSize?: number;
  timeoutMs?: number;
}

/** Any OpenAI-compatible `/v1/embeddings` endpoint, so a user can plug in a real embedding model. */
export class RemoteEmbedder implements Embedder {
  readonly name: string;
  dimensions = 0;
  constructor(private readonly opts: RemoteEmbedderOptions) {
    this.name = `remote:${opts.model}`;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    const size = this.opts.batchSize ?? 64;
    for (let i = 0; i < texts.length; i += size) out.push(...(await this.batch(texts.slice(i, i + size))));
    return out;
  }

  private async batch(input: readonly string[]): Promise<Float32Array[]> {
    const url = `${this.opts.baseUrl.replace(/\/+$/u, '')}/embeddings`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.opts.apiKey ? { authorization: `Bearer ${this.opts.apiKey}` } : {}),
        },
        body: JSON.stringify({ model: this.opts.model, input }),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
      });
    } catch (err) {
      throw new UserError(
        'UPSTREAM_UNAVAILABLE',
        `embedding endpoint ${url} unreachable: ${String(err)}; check --embed-url`,
      );
    }
    if (!res.ok) {
      throw new UserError(
        'UPSTREAM_UNAVAILABLE',
        `embedding endpoint ${url} answered ${res.status}; check the URL, model and key`,
      );
    }
    const parsed = EmbeddingsResponse.safeParse(await res.json());
    if (!parsed.success)
      throw new UserError('UPSTREAM_UNAVAILABLE', `embedding endpoint ${url} returned an unexpected body`);
    const rows = [...parsed.data.data].sort((a, b) => a.index - b.index);
    if (rows.length !== input.length) {
      throw new UserError(
        'UPSTREAM_UNAVAILABLE',
        `embedding endpoint returned ${rows.length} vectors for ${input.length} texts`,
      );
    }
    this.dimensions = rows[0]?.embedding.length ?? this.dimensions;
    return rows.map((r) => l2normalize(Float32Array.from(r.embedding)));
  }
}
