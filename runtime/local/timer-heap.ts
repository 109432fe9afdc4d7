/** A min-heap of (due time, id); entries removed elsewhere are skipped lazily by the caller. */
export class TimerHeap {
  private readonly dues: number[] = [];
  private readonly ids: string[] = [];

  get size(): number {
    return this.dues.length;
  }

  push(due: number, id: string): void {
    this.dues.push(due);
    this.ids.push(id);
    let i = this.dues.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.dues[parent]! <= due) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  peekDue(): number | undefined {
    return this.dues[0];
  }

  pop(): { due: number; id: string } | undefined {
    if (this.dues.length === 0) return undefined;
    const top = { due: this.dues[0]!, id: this.ids[0]! };
    const lastDue = this.dues.pop()!;
    const lastId = this.ids.pop()!;
    if (this.dues.length > 0) {
      this.dues[0] = lastDue;
      this.ids[0] = lastId;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.dues.length && this.dues[l]! < this.dues[m]!) m = l;
        if (r < this.dues.length && this.dues[r]! < this.dues[m]!) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }

  private swap(a: number, b: number): void {
    [this.dues[a], this.dues[b]] = [this.dues[b]!, this.dues[a]!];
    [this.ids[a], this.ids[b]] = [this.ids[b]!, this.ids[a]!];
  }
}
