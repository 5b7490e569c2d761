// The log lines: a virtualised list (only the rows in view are in the DOM,
// so 5,000 lines scroll smoothly). Rows are one line high unless wrapped or
// expanded; heights are measured after rendering and kept per row.
// Clicking a row expands it: stream labels, structured metadata and parsed
// fields, each with buttons that add a filter to the query.

import { formatTime } from './timerange.js';

const ROW = 22; // px, one unwrapped row

export class LineList {
  constructor(el, { onFilter }) {
    this.el = el;
    this.onFilter = onFilter;
    this.entries = [];
    this.heights = [];
    this.offsets = [0];
    this.expanded = new Set();
    this.utc = false;
    this.wrap = false;
    this.spacer = document.createElement('div');
    this.spacer.className = 'spacer';
    this.rows = document.createElement('div');
    this.rows.className = 'rows';
    this.spacer.appendChild(this.rows);
    el.appendChild(this.spacer);
    el.addEventListener('scroll', () => this.schedule());
    addEventListener('resize', () => this.schedule());
    el.addEventListener('click', (e) => this.onClick(e));
    el.addEventListener('keydown', (e) => {
      const row = e.target.closest('.row');
      if (!row || e.target !== row) return;
      const i = Number(row.dataset.i);
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        this.toggle(i);
      } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        this.focusRow(i + (e.key === 'ArrowDown' ? 1 : -1));
      }
    });
  }

  // entries: [{ts (ms), tsNs (string), line, labels, meta, parsed, level, key}], newest first.
  set(entries) {
    this.entries = entries;
    this.expanded.clear();
    this.heights = entries.map(() => ROW);
    this.el.scrollTop = 0;
    this.layout();
  }

  append(entries) {
    this.entries.push(...entries);
    this.heights.push(...entries.map(() => ROW));
    this.layout();
  }

  // Adds newer entries on top, keeping at most `max` rows.
  prepend(entries, max) {
    const shift = entries.length;
    this.entries.unshift(...entries);
    this.heights.unshift(...entries.map(() => ROW));
    this.expanded = new Set([...this.expanded].map((i) => i + shift));
    if (this.entries.length > max) {
      this.entries.length = max;
      this.heights.length = max;
    }
    this.layout();
  }

  setWrap(on) { this.wrap = on; this.el.classList.toggle('wrap', on); this.resetHeights(); }
  setUtc(on) { this.utc = on; this.render(); }
  resetHeights() { this.heights = this.entries.map(() => ROW); this.layout(); }

  toggle(i) {
    if (this.expanded.has(i)) this.expanded.delete(i); else this.expanded.add(i);
    this.heights[i] = ROW;
    this.layout();
  }

  // Moves keyboard focus to row i, scrolling it into view (it may not be rendered yet).
  focusRow(i) {
    if (i < 0 || i >= this.entries.length) return;
    const top = this.offsets[i];
    const bottom = this.offsets[i + 1];
    if (top < this.el.scrollTop) this.el.scrollTop = top;
    else if (bottom > this.el.scrollTop + this.el.clientHeight) this.el.scrollTop = bottom - this.el.clientHeight;
    this.render();
    this.rows.querySelector(`.row[data-i="${i}"]`)?.focus({ preventScroll: true });
  }

  layout() {
    const n = this.heights.length;
    this.offsets = new Array(n + 1);
    this.offsets[0] = 0;
    for (let i = 0; i < n; i++) this.offsets[i + 1] = this.offsets[i] + this.heights[i];
    this.spacer.style.height = `${this.offsets[n]}px`;
    this.render();
  }

  schedule() {
    if (this.pending) return;
    this.pending = requestAnimationFrame(() => { this.pending = 0; this.render(); });
  }

  // Index of the row at y (binary search over offsets).
  rowAt(y) {
    let lo = 0, hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.offsets[mid + 1] <= y) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  render() {
    const top = this.el.scrollTop;
    const first = Math.max(0, this.rowAt(top) - 5);
    const last = Math.min(this.entries.length, this.rowAt(top + this.el.clientHeight) + 6);
    const focused = document.activeElement?.closest?.('.row')?.dataset.i;
    this.rows.style.transform = `translateY(${this.offsets[first] || 0}px)`;
    const frag = document.createDocumentFragment();
    for (let i = first; i < last; i++) frag.appendChild(this.renderRow(i));
    this.rows.replaceChildren(frag);
    if (focused !== undefined) this.rows.querySelector(`.row[data-i="${focused}"]`)?.focus();
    // Measure rows that may be taller than ROW (wrapped or expanded); an
    // unwrapped, closed row is exactly ROW high, so plain scrolling forces no layout.
    let changed = false;
    for (const row of this.rows.children) {
      const i = Number(row.dataset.i);
      if (!this.wrap && !this.expanded.has(i) && this.heights[i] === ROW) continue;
      const h = row.offsetHeight;
      if (h && Math.abs(h - this.heights[i]) > 0.5) { this.heights[i] = h; changed = true; }
    }
    if (changed && !this.measuring) {
      this.measuring = true;
      this.layout();
      this.measuring = false;
    }
  }

  renderRow(i) {
    const e = this.entries[i];
    const row = document.createElement('div');
    row.className = `row lvl-${e.level}`;
    row.dataset.i = i;
    row.tabIndex = 0;
    row.setAttribute('role', 'listitem');
    row.setAttribute('aria-expanded', String(this.expanded.has(i)));
    const head = document.createElement('div');
    head.className = 'head';
    head.innerHTML = `<time></time><span class="lvl"></span><span class="msg"></span><button type="button" class="copy" title="Copy line">Copy</button>`;
    head.children[0].textContent = formatTime(e.ts, this.utc);
    head.children[0].dateTime = new Date(e.ts).toISOString();
    head.children[1].textContent = e.level;
    head.children[2].textContent = e.line;
    row.appendChild(head);
    if (this.expanded.has(i)) row.appendChild(this.details(e));
    return row;
  }

  details(e) {
    const d = document.createElement('div');
    d.className = 'details';
    const section = (title, obj, kind) => {
      const keys = Object.keys(obj || {});
      if (!keys.length) return;
      const h = document.createElement('h3');
      h.textContent = title;
      d.appendChild(h);
      const t = document.createElement('table');
      for (const k of keys.sort()) {
        const tr = t.insertRow();
        tr.insertCell().textContent = k;
        tr.insertCell().textContent = obj[k];
        const c = tr.insertCell();
        c.className = 'actions';
        for (const [op, text] of [['=', '+'], ['!=', '−']]) {
          const b = document.createElement('button');
          b.type = 'button';
          b.className = 'filter';
          b.textContent = text;
          b.title = `${op === '=' ? 'Filter for' : 'Filter out'} ${k}="${obj[k]}"`;
          b.setAttribute('aria-label', b.title);
          Object.assign(b.dataset, { kind, key: k, value: obj[k], op });
          c.appendChild(b);
        }
      }
      d.appendChild(t);
    };
    section('Stream labels', e.labels, 'label');
    section('Structured metadata', e.meta, 'meta');
    section('Parsed fields', e.parsed, 'parsed');
    if (e.fields) {
      section(`Fields (${e.parser}, parsed in the browser)`, e.fields, 'parsed');
      for (const b of d.querySelectorAll('button.filter[data-kind="parsed"]')) if (!(b.dataset.key in (e.parsed || {}))) b.dataset.parser = e.parser;
    }
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'filter line-filter';
    b.textContent = 'Hide lines like this';
    b.title = 'Add != "<line>" to the query';
    Object.assign(b.dataset, { kind: 'line', value: e.line.slice(0, 80) });
    d.appendChild(b);
    return d;
  }

  onClick(ev) {
    const fb = ev.target.closest('button.filter');
    if (fb) { this.onFilter(fb.dataset); return; }
    const copy = ev.target.closest('button.copy');
    const row = ev.target.closest('.row');
    if (!row) return;
    const e = this.entries[Number(row.dataset.i)];
    if (copy) {
      copyText(e.line).then(() => { copy.textContent = 'Copied'; }, () => { copy.textContent = 'Copy failed'; });
      return;
    }
    if (ev.target.closest('.details') || getSelection().toString()) return;
    this.toggle(Number(row.dataset.i));
  }
}

// The clipboard API exists only in secure contexts (https, localhost); over
// plain http elsewhere fall back to a selected textarea and execCommand.
function copyText(text) {
  if (navigator.clipboard && isSecureContext) return navigator.clipboard.writeText(text);
  const t = document.createElement('textarea');
  t.value = text;
  t.style.position = 'fixed';
  t.style.opacity = '0';
  document.body.appendChild(t);
  t.select();
  const ok = document.execCommand('copy');
  t.remove();
  return ok ? Promise.resolve() : Promise.reject(new Error('copy failed'));
}
