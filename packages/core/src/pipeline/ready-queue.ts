// A shard's FIFO of job ids ready to post, with the number of queued jobs per mode kept as ids come
// and go: the router asks for it for every account on every routed job, and scanning the queue
// each time made routing cost O(queue length).
type Mode = 'direct' | 'draft';

export class ReadyQueue {
  private ids: string[] = [];
  /** id → how many times it is queued (includes() without a scan). */
  private readonly copies = new Map<string, number>();
  private readonly byMode: Record<Mode, number> = { direct: 0, draft: 0 };

  /** modeOf: a job's mode (fixed for the job's life), undefined for an unknown id (not counted). */
  constructor(private readonly modeOf: (id: string) => Mode | undefined) {}

  get length(): number {
    return this.ids.length;
  }

  /** Queued jobs of this mode. */
  count(mode: Mode): number {
    return this.byMode[mode];
  }

  includes(id: string): boolean {
    return this.copies.has(id);
  }

  push(id: string): void {
    this.ids.push(id);
    this.added(id);
  }

  shift(): string | undefined {
    const id = this.ids.shift();
    if (id !== undefined) this.removed(id);
    return id;
  }

  /** Removes the first occurrence of id, if queued. */
  remove(id: string): void {
    if (!this.copies.has(id)) return;
    const i = this.ids.indexOf(id);
    if (i < 0) return;
    this.ids.splice(i, 1);
    this.removed(id);
  }

  /** Empties the queue; returns its ids in order. */
  drain(): string[] {
    const all = this.ids;
    this.ids = [];
    this.copies.clear();
    this.byMode.direct = 0;
    this.byMode.draft = 0;
    return all;
  }

  private added(id: string): void {
    this.copies.set(id, (this.copies.get(id) ?? 0) + 1);
    const mode = this.modeOf(id);
    if (mode) this.byMode[mode]++;
  }

  private removed(id: string): void {
    const n = this.copies.get(id) ?? 0;
    if (n <= 1) this.copies.delete(id);
    else this.copies.set(id, n - 1);
    const mode = this.modeOf(id);
    if (mode) this.byMode[mode]--;
  }
}
