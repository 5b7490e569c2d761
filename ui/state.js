// The page's state in its URL (?query=&from=&to=), so a view can be shared
// and the back button returns to the previous query or range.

export function read() {
  const p = new URLSearchParams(location.search);
  return {
    query: p.get('query') ?? '',
    range: { from: p.get('from') || 'now-1h', to: p.get('to') || 'now' },
  };
}

// Records a new history entry when the state differs from the current URL.
export function push(state) {
  const p = new URLSearchParams();
  if (state.query) p.set('query', state.query);
  p.set('from', String(state.range.from));
  p.set('to', String(state.range.to));
  const url = `${location.pathname}?${p}`;
  if (url !== location.pathname + location.search) history.pushState(null, '', url);
}

export function onPop(fn) { addEventListener('popstate', () => fn(read())); }
