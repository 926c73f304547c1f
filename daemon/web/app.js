// The router: the path picks a page module (loaded on demand), which renders into <main>.
// The page context gives every page the same tools; the shell's header is translated here.

import { api, clearToken, lastPosition, onUnauthorized, setToken, token, authHeaders } from "./api.js";
import { h, link, clear } from "./dom.js";
import { t, lang, setLang, register, fmtDate, fmtTime, collator } from "./i18n.js";

// path pattern -> page module; the server answers the shell on the same paths.
const ROUTES = [
  [/^\/$/, "search"],
  [/^\/search$/, "search"],
  [/^\/committees\/([^/]+)$/, "committee"],
  [/^\/people\/([^/]+)$/, "person"],
  [/^\/decisions\/([^/]+)$/, "decision"],
  [/^\/units\/([^/]+)$/, "unit"],
  [/^\/plans\/([^/]+)$/, "plan"],
  [/^\/tasks\/([^/]+)$/, "task"],
  [/^\/audit$/, "audit"],
];

const main = document.getElementById("main");
const errorBox = document.getElementById("error");

function match(pathname) {
  for (const [pattern, page] of ROUTES) {
    const m = pattern.exec(pathname);
    if (m) return { page, id: m[1] ? decodeURIComponent(m[1]) : null };
  }
  return null;
}

function showError(message) {
  clear(errorBox);
  if (!message) {
    errorBox.hidden = true;
    return;
  }
  errorBox.append(h("strong", {}, t("error.title")), " ", message);
  errorBox.hidden = false;
}

function translateShell() {
  document.documentElement.lang = lang();
  document.getElementById("site-title").textContent = t("site.title");
  document.getElementById("nav").setAttribute("aria-label", t("nav.label"));
  for (const a of document.querySelectorAll("#nav [data-nav]")) a.textContent = t(`nav.${a.dataset.nav}`);
  document.getElementById("skip").textContent = t("skip");
  const langButton = document.getElementById("lang");
  langButton.textContent = t("lang.switch");
  langButton.lang = lang() === "vi" ? "en" : "vi";
  langButton.setAttribute("aria-label", t("lang.switch.label"));
  const signOut = document.getElementById("sign-out");
  signOut.textContent = t("sign_out");
  signOut.hidden = !token();
}

// The live feed of the log; one at a time, stopped when the page changes.
let feed = null;

function stopFeed() {
  if (feed) feed.abort();
  feed = null;
}

function startFeed(fn) {
  stopFeed();
  const controller = new AbortController();
  feed = controller;
  let pending = null;
  const notify = (position) => {
    // A write of many events arrives as many messages; the page re-reads once.
    clearTimeout(pending);
    pending = setTimeout(() => fn(position), 150);
  };
  (async () => {
    let backoff = 1000;
    while (!controller.signal.aborted) {
      try {
        const response = await fetch("/v1/events/stream?positions_only=true", {
          headers: { Accept: "text/event-stream", ...authHeaders() },
          signal: controller.signal,
        });
        // A token that may not read the log's feed gets no live updates; the page still works.
        if (!response.ok || !response.body) return;
        backoff = 1000;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const message = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const id = /^id:\s*(\d+)/m.exec(message);
            if (id) notify(Number(id[1]));
          }
        }
      } catch {
        if (controller.signal.aborted) return;
      }
      await new Promise((resolve) => setTimeout(resolve, backoff));
      backoff = Math.min(backoff * 2, 30000);
    }
  })();
}

function tokenForm(refused) {
  const input = h("input", {
    id: "token",
    type: "password",
    name: "token",
    autocomplete: "off",
    required: true,
    "aria-describedby": refused ? "token-intro token-error" : "token-intro",
  });
  const form = h(
    "form",
    { id: "token-form", class: "token-form" },
    h("h1", {}, t("token.title")),
    h("p", { id: "token-intro" }, t("token.intro")),
    refused ? h("p", { id: "token-error", class: "form-error", role: "alert" }, t("token.refused")) : null,
    h("label", { for: "token" }, t("token.label")),
    h("div", { class: "row" }, input, h("button", { type: "submit" }, t("token.submit"))),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = input.value.trim();
    if (!value) return;
    setToken(value);
    render();
  });
  return form;
}

let generation = 0;
// The render the token form stands for: a page's other calls answered 401 leave it alone.
let formShown = -1;

onUnauthorized((error, used) => {
  if (formShown === generation) return;
  // A call that sent a token and was answered 401 had it refused; it is forgotten and asked
  // for again.
  const refused = Boolean(used);
  if (refused && token() === used) clearToken();
  const current = ++generation;
  formShown = current;
  stopFeed();
  clear(main);
  delete main.dataset.ready;
  delete main.dataset.error;
  delete main.dataset.position;
  main.append(tokenForm(refused));
  document.title = `${t("token.title")} · reformlog`;
  translateShell();
  main.dataset.ready = "true";
  main.dataset.token = "needed";
  requestAnimationFrame(() => {
    if (current === generation) document.getElementById("token")?.focus();
  });
});

export function navigate(href) {
  history.pushState(null, "", href);
  render();
}

// Re-renders the current page in place (a new `?on=`), keeping the scroll position.
function replaceQuery(href) {
  history.pushState(null, "", href);
  return render({ keepScroll: true });
}

export async function render(options = {}) {
  const current = ++generation;
  stopFeed();
  showError(null);
  translateShell();
  const scroll = window.scrollY;
  delete main.dataset.ready;
  delete main.dataset.error;
  delete main.dataset.position;
  delete main.dataset.token;
  const route = match(location.pathname);
  if (!route) {
    clear(main);
    main.append(h("h1", {}, t("error.not_found")));
    main.dataset.error = "not-found";
    showError(t("error.not_found"));
    document.title = "reformlog";
    main.dataset.ready = "true";
    return;
  }
  let page;
  try {
    page = await import(`./pages/${route.page}.js`);
  } catch (cause) {
    if (current !== generation) return;
    clear(main);
    main.dataset.error = "page-missing";
    showError(String(cause));
    main.dataset.ready = "true";
    return;
  }
  if (current !== generation) return;
  register(page.strings);
  // Each render fills a container of its own: a page left behind by a quick navigation
  // that finishes late writes into a node no longer shown.
  const fresh = h("div", { class: "page" });
  clear(main);
  main.className = `page-${route.page}`;
  main.append(fresh);
  const ctx = {
    main: fresh,
    id: route.id,
    query: new URLSearchParams(location.search),
    api,
    t,
    lang,
    fmtDate,
    fmtTime,
    collator,
    h,
    link,
    navigate,
    replaceQuery,
    onLive: (fn) => startFeed((position) => {
      if (current === generation) fn(position);
    }),
    isCurrent: () => current === generation,
  };
  try {
    await page.render(ctx);
    if (current !== generation) return;
    // What the page set on its container (the answer's position) is shown on main.
    for (const [k, v] of Object.entries(fresh.dataset)) main.dataset[k] = v;
    if (!main.dataset.position && lastPosition !== null) main.dataset.position = String(lastPosition);
    const heading = main.querySelector("h1");
    document.title = heading ? `${heading.textContent} · reformlog` : "reformlog";
    main.dataset.ready = "true";
    if (options.keepScroll) window.scrollTo(0, scroll);
  } catch (error) {
    if (current !== generation) return;
    clear(main);
    const code = error && error.code ? error.code : "error";
    main.className = `page-${route.page}`;
    main.append(h("h1", {}, error && error.status === 404 ? t("error.not_found") : t("error.title")));
    main.dataset.error = code;
    const text = error && error.status === 0 ? t("error.network") : error && error.status === 403 ? t("error.forbidden") : (error && (error.detail || error.title || error.message)) || String(error);
    showError(text);
    document.title = "reformlog";
    main.dataset.ready = "true";
  }
}

document.addEventListener("click", (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const a = event.target.closest && event.target.closest("a[href]");
  if (!a || a.target || a.hasAttribute("download")) return;
  const target = new URL(a.href, location.href);
  if (target.origin !== location.origin || target.pathname.startsWith("/v1/") || target.pathname.startsWith("/assets/")) return;
  if (target.hash && target.pathname === location.pathname && target.search === location.search) return;
  if (!match(target.pathname)) return;
  event.preventDefault();
  navigate(target.pathname + target.search);
});

window.addEventListener("popstate", () => render({ keepScroll: true }));

document.getElementById("lang").addEventListener("click", () => {
  setLang(lang() === "vi" ? "en" : "vi");
  render({ keepScroll: true });
});

document.getElementById("sign-out").addEventListener("click", () => {
  clearToken();
  render();
});

render();
