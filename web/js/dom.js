// dom.js -- building the page: h() makes elements from data without ever
// parsing it as HTML, so nothing the API returns can inject markup.

// h('a', { href, class, onclick, dataset: {...}, aria-x: ... }, child, ...)
// Children: nodes, strings, numbers, arrays, null/undefined/false (skipped).
export function h(tag, attrs, ...children) {
  const e = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : v;
      else if (k === 'dataset') Object.assign(e.dataset, v);
      else if (k === 'style' && typeof v === 'object') Object.assign(e.style, v);
      else if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
      else if (k === 'text') e.textContent = v;
      else if (v === true) e.setAttribute(k, '');
      else e.setAttribute(k, String(v));
    }
  }
  append(e, children);
  return e;
}

export function append(parent, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    parent.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return parent;
}

export function clear(e) {
  while (e.firstChild) e.firstChild.remove();
  return e;
}

export function replace(e, ...children) {
  clear(e);
  return append(e, children);
}

// Focus an element without scrolling the page to it.
export function focusQuiet(e) {
  try { e.focus({ preventScroll: true }); } catch { /* not focusable */ }
}

let uid = 0;
export function newId(prefix = 'id') {
  uid += 1;
  return `${prefix}-${uid}`;
}
