/**
 * Memoises a pure function of a text with bounded memory: two generations of at most `capacity`
 * entries each; when the current one fills up it becomes the old one and the oldest is dropped,
 * and an old entry that is used again moves to the current one. Traffic repeats prompts and
 * system prompts (canned questions, retries, evaluation runs, templated apps), so this spares
 * the per-event text work for most of them. Results never depend on what is cached, because
 * `compute` is pure; callers must not mutate what it returns, since it is shared.
 */
export class TextCache<T> {
  private current = new Map<string, T>();
  private old = new Map<string, T>();

  constructor(
    private readonly capacity: number,
    private readonly compute: (text: string) => T,
  ) {}

  get(text: string): T {
    let v = this.current.get(text);
    if (v !== undefined) return v;
    v = this.old.get(text) ?? this.compute(text);
    if (this.current.size >= this.capacity) {
      this.old = this.current;
      this.current = new Map();
    }
    this.current.set(text, v);
    return v;
  }
}
