// Building DOM nodes from data without innerHTML: every name shown comes from the store, so
// text goes in as text nodes and attributes through setAttribute.

function append(node, child) {
  if (child === null || child === undefined || child === false || child === true) return;
  if (Array.isArray(child)) {
    for (const c of child) append(node, c);
  } else if (child instanceof Node) {
    node.appendChild(child);
  } else {
    node.appendChild(document.createTextNode(String(child)));
  }
}

// h("a", {href: "/x", class: "y", dataset: {date: "2024-01-01"}, onclick: fn}, "text", child, [more])
export function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "dataset") {
      for (const [k, v] of Object.entries(value)) {
        if (v !== null && v !== undefined) node.dataset[k] = String(v);
      }
    } else if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), value);
    } else if (key === "class") {
      node.className = Array.isArray(value) ? value.filter(Boolean).join(" ") : value;
    } else if (value === true) {
      node.setAttribute(key, "");
    } else {
      node.setAttribute(key, String(value));
    }
  }
  append(node, children);
  return node;
}

// A link inside the app; the router intercepts the click and renders without a reload.
export function link(href, text, attrs) {
  return h("a", { ...(attrs || {}), href }, text);
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
}

// A date element that carries its ISO date for machines and shows dd/mm/yyyy to people.
export function dateNode(tag, iso, shown, attrs) {
  return h(tag, { ...(attrs || {}), dataset: { ...((attrs && attrs.dataset) || {}), date: iso || "" } }, shown);
}
