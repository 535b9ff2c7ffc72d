/**
 * A fixed-row-height virtual list: only the rows in view are in the DOM, so an operator table with hundreds of
 * thousands of subtask rows scrolls as smoothly as a small one. Keyboard: Up/Down/Home/End/PageUp/PageDown move the
 * selection; the caller handles other keys through onKey.
 */
export interface VirtualListOptions<T> {
  readonly rowHeight: number;
  /** The list's height; with `fit`, its largest height, the list shrinking to its rows below it. */
  readonly height: string;
  readonly fit?: boolean;
  readonly label: string;
  renderRow(item: T, index: number, selected: boolean): HTMLElement;
  onKey?(event: KeyboardEvent, item: T, index: number): void;
}

export class VirtualList<T> {
  readonly element: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly viewport: HTMLElement;
  private items: readonly T[] = [];
  private selected = 0;
  private frame = 0;

  constructor(private readonly options: VirtualListOptions<T>) {
    this.element = document.createElement('div');
    this.element.className = 'vlist';
    if (options.fit) this.element.style.maxHeight = options.height;
    else this.element.style.height = options.height;
    this.element.tabIndex = 0;
    this.element.setAttribute('role', 'grid');
    this.element.setAttribute('aria-label', options.label);
    this.spacer = document.createElement('div');
    this.spacer.className = 'vlist-spacer';
    this.viewport = document.createElement('div');
    this.viewport.className = 'vlist-rows';
    this.spacer.append(this.viewport);
    this.element.append(this.spacer);
    this.element.addEventListener('scroll', () => this.schedule());
    this.element.addEventListener('keydown', (event) => this.onKeyDown(event));
    new ResizeObserver(() => this.schedule()).observe(this.element);
  }

  setItems(items: readonly T[], keepSelection = false): void {
    this.items = items;
    if (!keepSelection) this.selected = 0;
    this.selected = Math.min(this.selected, Math.max(0, items.length - 1));
    this.spacer.style.height = `${items.length * this.options.rowHeight}px`;
    // A few rows take the room they need, not the list's full height.
    if (this.options.fit) this.element.style.height = `${Math.max(1, items.length) * this.options.rowHeight}px`;
    this.render();
  }

  get selectedIndex(): number {
    return this.selected;
  }

  select(index: number): void {
    if (this.items.length === 0) return;
    this.selected = Math.max(0, Math.min(index, this.items.length - 1));
    const top = this.selected * this.options.rowHeight;
    if (top < this.element.scrollTop) this.element.scrollTop = top;
    const bottom = top + this.options.rowHeight;
    if (bottom > this.element.scrollTop + this.element.clientHeight) {
      this.element.scrollTop = bottom - this.element.clientHeight;
    }
    this.render();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private render(): void {
    const { rowHeight } = this.options;
    const first = Math.max(0, Math.floor(this.element.scrollTop / rowHeight) - 5);
    const visible = Math.ceil((this.element.clientHeight || 600) / rowHeight) + 10;
    const last = Math.min(this.items.length, first + visible);
    this.viewport.style.transform = `translateY(${first * rowHeight}px)`;
    const rows: HTMLElement[] = [];
    for (let i = first; i < last; i++) {
      const row = this.options.renderRow(this.items[i], i, i === this.selected);
      row.style.height = `${rowHeight}px`;
      row.setAttribute('aria-rowindex', String(i + 1));
      row.addEventListener('click', () => this.select(i));
      rows.push(row);
    }
    this.viewport.replaceChildren(...rows);
  }

  private onKeyDown(event: KeyboardEvent): void {
    const page = Math.max(1, Math.floor(this.element.clientHeight / this.options.rowHeight) - 1);
    const moves: Record<string, number> = {
      ArrowDown: this.selected + 1,
      ArrowUp: this.selected - 1,
      PageDown: this.selected + page,
      PageUp: this.selected - page,
      Home: 0,
      End: this.items.length - 1,
    };
    if (event.key in moves) {
      event.preventDefault();
      this.select(moves[event.key]);
    } else if (this.items.length > 0) {
      this.options.onKey?.(event, this.items[this.selected], this.selected);
    }
  }
}
