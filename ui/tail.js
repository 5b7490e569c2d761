// Live tail over Loki's WebSocket (/loki/api/v1/tail). Frames carry
// {streams:[{stream, values:[[ns, line, {structuredMetadata, parsed}?]]}],
//  dropped_entries:[...]}; `onEntries` gets the new entries of each frame
// and `onStatus` the state and the number of entries lode dropped.

export class Tail {
  constructor({ onEntries, onStatus }) {
    Object.assign(this, { onEntries, onStatus });
    this.ws = null;
    this.dropped = 0;
  }

  get active() { return this.ws !== null; }

  start(url) {
    this.stop();
    this.dropped = 0;
    const ws = new WebSocket(url);
    this.ws = ws;
    this.onStatus('connecting', 0);
    ws.onopen = () => this.onStatus('live', this.dropped);
    ws.onmessage = (ev) => {
      let msg;
      try { msg = JSON.parse(ev.data); } catch { return; }
      if (msg.dropped_entries) this.dropped += msg.dropped_entries.length;
      this.onEntries(msg.streams || []);
      this.onStatus('live', this.dropped);
    };
    ws.onerror = () => { if (this.ws === ws) this.onStatus('error', this.dropped); };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.onStatus(ev.code === 1000 || ev.code === 1005 ? 'closed' : `closed (${ev.code})`, this.dropped);
    };
  }

  stop() {
    const ws = this.ws;
    this.ws = null;
    if (ws) ws.close(1000);
  }
}
