// The LogQL editor: a transparent <textarea> over a highlighted <pre>, a
// completion list for label names and values, and the position of a parse
// error. Completion items come from `complete(kind, labelName, selector)`
// (kind is "name" or "value"; selector holds the matchers already typed),
// which the app answers from the Loki API for the time range.

import { toHtml } from './highlight.js';

export class Editor {
  constructor({ textarea, overlay, list, onRun, complete }) {
    Object.assign(this, { textarea, overlay, list, onRun, complete });
    this.errorAt = -1;
    this.items = [];
    this.active = 0;
    this.seq = 0;
    textarea.addEventListener('input', () => { this.errorAt = -1; this.render(); this.suggest(false); });
    textarea.addEventListener('scroll', () => { overlay.scrollTop = textarea.scrollTop; overlay.scrollLeft = textarea.scrollLeft; });
    textarea.addEventListener('keydown', (e) => this.onKey(e));
    textarea.addEventListener('blur', () => setTimeout(() => this.close(), 150));
    list.addEventListener('mousedown', (e) => {
      const li = e.target.closest('li');
      if (!li) return;
      e.preventDefault();
      this.accept(Number(li.dataset.i));
    });
    this.render();
  }

  get value() { return this.textarea.value; }
  set value(v) { this.textarea.value = v; this.errorAt = -1; this.render(); }

  // Marks the error at 1-based (line, col), as Loki reports it.
  setError(line, col) {
    const lines = this.value.split('\n');
    let off = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) off += lines[i].length + 1;
    this.errorAt = Math.min(off + col - 1, this.value.length);
    this.render();
  }
  clearError() { this.errorAt = -1; this.render(); }

  render() {
    this.overlay.innerHTML = toHtml(this.value, this.errorAt);
    const rows = Math.min(8, this.value.split('\n').length);
    this.textarea.rows = rows;
  }

  onKey(e) {
    const open = !this.list.hidden;
    if (e.key === 'Enter' && e.shiftKey) {
      e.preventDefault();
      this.close();
      this.onRun();
    } else if (open && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
      e.preventDefault();
      this.active = (this.active + (e.key === 'ArrowDown' ? 1 : -1) + this.items.length) % this.items.length;
      this.drawList();
    } else if (open && (e.key === 'Enter' || e.key === 'Tab')) {
      e.preventDefault();
      this.accept(this.active);
    } else if (open && e.key === 'Escape') {
      e.preventDefault();
      this.close();
    } else if (e.key === ' ' && e.ctrlKey) {
      e.preventDefault();
      this.suggest(true);
    }
  }

  // What is being typed at the caret: {kind, prefix, from, label?} or null.
  context() {
    const pos = this.textarea.selectionStart;
    const before = this.value.slice(0, pos);
    const open = before.lastIndexOf('{');
    if (open < 0 || before.lastIndexOf('}') > open) return null;
    const inner = before.slice(open + 1);
    // The matchers before the one being typed narrow the values offered.
    const others = (m) => {
      const rest = inner.slice(0, m.index).trim().replace(/,$/, '');
      return rest ? `{${rest}}` : '';
    };
    let m = /([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)$/.exec(inner);
    if (m) return { kind: 'value', label: m[1], prefix: m[3], from: pos - m[3].length, quoted: true, selector: others(m) };
    m = /([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*$/.exec(inner);
    if (m) return { kind: 'value', label: m[1], prefix: '', from: pos, quoted: false, selector: others(m) };
    m = /(?:^|,)\s*([A-Za-z_][A-Za-z0-9_]*)?$/.exec(inner);
    if (m) return { kind: 'name', prefix: m[1] || '', from: pos - (m[1] || '').length };
    return null;
  }

  async suggest(explicit) {
    const ctx = this.context();
    if (!ctx || (!explicit && ctx.kind === 'name' && !ctx.prefix && !/[{,]\s*$/.test(this.value.slice(0, ctx.from)))) {
      this.close();
      return;
    }
    const seq = ++this.seq;
    let all;
    try {
      all = await this.complete(ctx.kind, ctx.label, ctx.selector);
    } catch {
      all = [];
    }
    if (seq !== this.seq) return;
    const p = ctx.prefix.toLowerCase();
    this.items = all.filter((v) => v.toLowerCase().startsWith(p) && v !== ctx.prefix).slice(0, 50);
    this.ctx = ctx;
    this.active = 0;
    if (!this.items.length) { this.close(); return; }
    const before = this.value.slice(0, ctx.from);
    const line = before.split('\n').length - 1;
    const col = before.length - before.lastIndexOf('\n') - 1;
    this.list.style.left = `calc(${col}ch + 0.6rem)`;
    this.list.style.top = `calc(${line + 1} * 1.5em + 0.6rem)`;
    this.list.hidden = false;
    this.drawList();
  }

  drawList() {
    this.list.innerHTML = '';
    this.items.forEach((v, i) => {
      const li = document.createElement('li');
      li.textContent = v;
      li.dataset.i = i;
      li.id = `completion-${i}`;
      li.setAttribute('role', 'option');
      li.className = `${this.ctx.kind}${i === this.active ? ' active' : ''}`;
      li.setAttribute('aria-selected', String(i === this.active));
      this.list.appendChild(li);
    });
    this.textarea.setAttribute('aria-activedescendant', `completion-${this.active}`);
    this.list.children[this.active]?.scrollIntoView({ block: 'nearest' });
  }

  accept(i) {
    const v = this.items[i];
    const ctx = this.ctx;
    if (v === undefined || !ctx) return;
    const pos = this.textarea.selectionStart;
    let ins = v;
    if (ctx.kind === 'value') {
      ins = v.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
      ins = ctx.quoted ? ins + (this.value[pos] === '"' ? '' : '"') : `"${ins}"`;
    } else {
      ins += '=';
    }
    const text = this.value.slice(0, ctx.from) + ins + this.value.slice(pos);
    this.value = text;
    let caret = ctx.from + ins.length;
    if (ctx.kind === 'value' && ctx.quoted && text[caret] === '"') caret++;
    this.textarea.setSelectionRange(caret, caret);
    this.close();
    this.textarea.focus();
    if (ctx.kind === 'name') this.suggest(true);
  }

  close() {
    this.list.hidden = true;
    this.textarea.removeAttribute('aria-activedescendant');
  }
}
