// A shard's FIFO of job ids ready to post, with the number of queued jobs per mode kept as ids come
// and go: the router asks for it for every account on every routed job, and scanning the queue
// each time made routing cost O(queue length). shift() moves a head index instead of the array
// (Array#shift copies it: quadratic on a 100k-row campaign pinned to one account).
type Mode = 'direct' | 'draft';

export class ReadyQueue {
  private ids: Array<string | undefined> = [];
  /** Index of the first live id in `ids`. */
  private head = 0;
  /** id → how many times it is queued (includes() without a scan). */
  private readonly copies = new Map<string, number>();
  private readonly byMode: Record<Mode, number> = { direct: 0, draft: 0 };

  /** modeOf: a job's mode (fixed for the job's life), undefined for an unknown id (not counted). */
  constructor(private readonly modeOf: (id: string) => Mode | undefined) {}

  get length(): number {
    return this.ids.length - this.head;
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
    if (this.head >= this.ids.length) return undefined;
    const id = this.ids[this.head]!;
    this.ids[this.head++] = undefined;
    // Drop the consumed prefix once it is most of the array (amortised O(1) per shift).
    if (this.head > 1024 && this.head * 2 > this.ids.length) {
      this.ids = this.ids.slice(this.head);
      this.head = 0;
    }
    this.removed(id);
    return id;
  }

  /** Removes the first occurrence of id, if queued. */
  remove(id: string): void {
    if (!this.copies.has(id)) return;
    const i = this.ids.indexOf(id, this.head);
    if (i < 0) return;
    this.ids.splice(i, 1);
    this.removed(id);
  }

  /** Empties the queue; returns its ids in order. */
  drain(): string[] {
    const all = this.ids.slice(this.head) as string[];
    this.ids = [];
    this.head = 0;
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
