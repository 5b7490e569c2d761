// The label browser: pick label names, then values, and build a stream
// selector ({a="x", b=~"y|z"}) from the choice. Names and values come from
// the Loki API for the current time range (via `fetchNames`/`fetchValues`).

const quote = (s) => JSON.stringify(s);
const reEscape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class LabelBrowser {
  constructor({ names, values, selector, filter, fetchNames, fetchValues }) {
    Object.assign(this, { namesEl: names, valuesEl: values, selectorEl: selector, filterEl: filter, fetchNames, fetchValues });
    this.chosen = new Map(); // label -> Set of values
    this.current = null;
    filter.addEventListener('input', () => this.filter());
  }

  // Shows only the values containing the filter text (case-insensitive).
  filter() {
    const f = this.filterEl.value.toLowerCase();
    for (const b of this.valuesEl.children) b.hidden = f !== '' && !b.textContent.toLowerCase().includes(f);
  }

  async open() {
    this.namesEl.textContent = 'Loading…';
    let names;
    try {
      names = await this.fetchNames();
    } catch (e) {
      this.namesEl.textContent = e.message;
      return;
    }
    this.namesEl.textContent = '';
    for (const n of names) {
      this.namesEl.appendChild(this.button(n, () => this.show(n), this.chosen.has(n)));
    }
    if (!names.length) this.namesEl.textContent = 'No labels in this time range.';
  }

  async show(name) {
    this.current = name;
    for (const b of this.namesEl.children) b.setAttribute('aria-current', String(b.textContent === name));
    this.valuesEl.textContent = 'Loading…';
    let values;
    try {
      values = await this.fetchValues(name);
    } catch (e) {
      this.valuesEl.textContent = e.message;
      return;
    }
    this.valuesEl.textContent = '';
    const set = this.chosen.get(name) || new Set();
    for (const v of values) {
      this.valuesEl.appendChild(this.button(v, (b) => {
        if (set.has(v)) set.delete(v); else set.add(v);
        b.setAttribute('aria-pressed', String(set.has(v)));
        if (set.size) this.chosen.set(name, set); else this.chosen.delete(name);
        this.update();
      }, set.has(v)));
    }
    this.filter();
  }

  button(text, fn, pressed) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = text;
    b.setAttribute('role', 'listitem');
    b.setAttribute('aria-pressed', String(!!pressed));
    b.addEventListener('click', () => fn(b));
    return b;
  }

  selector() {
    const parts = [];
    for (const [k, vs] of this.chosen) {
      const v = [...vs];
      parts.push(v.length === 1 ? `${k}=${quote(v[0])}` : `${k}=~${quote(v.map(reEscape).join('|'))}`);
    }
    return `{${parts.join(', ')}}`;
  }

  update() { this.selectorEl.textContent = this.selector(); }

  clear() {
    this.chosen.clear();
    this.update();
    this.open();
    this.valuesEl.textContent = '';
  }
}
