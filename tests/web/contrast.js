// Every visible text on the page whose contrast with the background behind it is under WCAG
// AA: 4.5:1, or 3:1 for large text (24px, or 18.66px bold). Colours with alpha are blended
// over the first opaque background up the tree; white when there is none.
const lum = (r, g, b) => {
  const f = (c) => {
    c /= 255;
    return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
};
const parse = (s) => {
  const m = /rgba?\(([^)]+)\)/.exec(s);
  if (!m) return null;
  const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
  return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
};
const behind = (el) => {
  for (let e = el; e; e = e.parentElement) {
    const c = parse(getComputedStyle(e).backgroundColor);
    if (c && c.a >= 1) return c;
  }
  return { r: 255, g: 255, b: 255, a: 1 };
};
const out = [];
const seen = new Set();
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const text = walker.currentNode;
  const el = text.parentElement;
  if (!el || seen.has(el) || !text.textContent.trim()) continue;
  seen.add(el);
  if (el.closest(":disabled")) continue;
  const st = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  // Hidden, or visually hidden for screen readers only (a one-pixel clip).
  if (st.visibility !== "visible" || box.width <= 1 || box.height <= 1) continue;
  const fg = parse(st.color);
  if (!fg) continue;
  const bg = behind(el);
  const mix = (f, b) => f * fg.a + b * (1 - fg.a);
  const l1 = lum(mix(fg.r, bg.r), mix(fg.g, bg.g), mix(fg.b, bg.b));
  const l2 = lum(bg.r, bg.g, bg.b);
  const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
  const size = parseFloat(st.fontSize);
  const large = size >= 24 || (size >= 18.66 && parseInt(st.fontWeight, 10) >= 700);
  if (ratio < (large ? 3 : 4.5)) {
    out.push(`${text.textContent.trim().slice(0, 40)}: ${ratio.toFixed(2)} (${st.color} on rgb(${bg.r}, ${bg.g}, ${bg.b}))`);
  }
}
return out;
