// Search: people, units, posts and committees by any name they have borne (the API folds
// case and diacritics), and decisions by number or title, folded the same way here.

export const strings = {
  vi: {
    "search.title": "Tìm kiếm",
    "search.label": "Tên người, đơn vị, chức vụ, ban chỉ đạo hoặc số quyết định",
    "search.submit": "Tìm",
    "search.hint": "Không cần gõ dấu: “pham minh tien” tìm được “Phạm Minh Tiến”.",
    "search.none": "Không tìm thấy kết quả cho “{q}”.",
    "search.count": "{n} kết quả cho “{q}”",
    "search.matched": "tên cũ: {name}",
    "search.post_in": "thuộc {unit}",
    "search.held_by": "người giữ: {names}",
    "search.start": "Gõ một tên để tìm. Ví dụ:",
    "kind.person": "Người",
    "kind.unit": "Đơn vị",
    "kind.committee": "Ban chỉ đạo",
    "kind.decision": "Quyết định",
    "kind.post": "Chức vụ",
    "kind.task": "Nhiệm vụ",
  },
  en: {
    "search.title": "Search",
    "search.label": "Name of a person, unit, post or committee, or a decision's number",
    "search.submit": "Search",
    "search.hint": "Diacritics are optional: “pham minh tien” finds “Phạm Minh Tiến”.",
    "search.none": "Nothing found for “{q}”.",
    "search.count": "{n} results for “{q}”",
    "search.matched": "earlier name: {name}",
    "search.post_in": "in {unit}",
    "search.held_by": "held by: {names}",
    "search.start": "Type a name to search. For example:",
    "kind.person": "Person",
    "kind.unit": "Unit",
    "kind.committee": "Committee",
    "kind.decision": "Decision",
    "kind.post": "Post",
    "kind.task": "Task",
  },
};

// The fold the API applies to names: no case, no diacritics, đ as d.
function fold(text) {
  return String(text)
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[đĐ]/g, "d")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim();
}

const PAGE_OF = { person: "people", unit: "units", committee: "committees", decision: "decisions" };

// Decisions are not in the name index: their list is read, a page of 1000 at a time up to
// DECISION_PAGES pages, and matched here.
const DECISION_PAGES = 50;
async function decisions(ctx, needle) {
  const items = [];
  let cursor = "";
  for (let n = 0; n < DECISION_PAGES; n += 1) {
    const page = (await ctx.api.get("/decisions", { limit: 1000, cursor })).answer || {};
    items.push(...(page.items || []));
    if (!page.next_cursor) break;
    cursor = page.next_cursor;
  }
  return items
    .filter((d) => {
      const number = d.details?.decision?.number || "";
      return fold(number).includes(needle) || fold(d.name || "").includes(needle);
    })
    .map((d) => ({ kind: "decision", id: d.id, name: d.details?.decision?.number || d.name, extra: d.name }));
}

async function posts(ctx, hits) {
  return Promise.all(
    hits.map(async (hit) => {
      try {
        const post = (await ctx.api.get(`/posts/${encodeURIComponent(hit.id)}`)).answer;
        return { ...hit, post: post.details?.post };
      } catch (error) {
        if (error.status === 401) throw error;
        return hit;
      }
    }),
  );
}

function result(ctx, hit) {
  const { h, t, link } = ctx;
  let target;
  const notes = [];
  if (hit.kind === "post") {
    const unit = hit.post?.unit;
    target = unit ? `/units/${encodeURIComponent(unit.id)}` : null;
    if (unit) notes.push(t("search.post_in", { unit: unit.name }));
    const holders = hit.post?.holders || [];
    if (holders.length) {
      notes.push(h("span", {}, t("search.held_by", { names: "" }), holders.map((p, i) => [i ? ", " : "", link(`/people/${encodeURIComponent(p.id)}`, p.name)])));
    }
  } else {
    target = `/${PAGE_OF[hit.kind]}/${encodeURIComponent(hit.id)}`;
  }
  if (hit.matched && hit.matched !== hit.name) notes.push(t("search.matched", { name: hit.matched }));
  if (hit.extra && hit.extra !== hit.name) notes.push(hit.extra);
  return h(
    "li",
    { dataset: { kind: hit.kind, id: hit.id } },
    h("span", { class: "kind" }, t(`kind.${hit.kind}`)),
    target ? link(target, hit.name) : h("span", {}, hit.name),
    notes.map((n) => h("span", { class: "also" }, n)),
  );
}

export async function render(ctx) {
  const { h, t, main, query } = ctx;
  const q = (query.get("q") || "").trim();
  const input = h("input", { id: "q", name: "q", type: "search", value: q, autocomplete: "off", maxlength: "200", "aria-describedby": "search-hint" });
  const form = h(
    "form",
    { id: "search", role: "search", action: "/search" },
    h("label", { for: "q" }, t("search.label")),
    input,
    h("button", { type: "submit" }, t("search.submit")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    ctx.navigate(text ? `/search?q=${encodeURIComponent(text)}` : "/");
  });
  main.append(h("h1", {}, t("search.title")), form, h("p", { id: "search-hint", class: "hint" }, t("search.hint")));
  if (!q) {
    main.append(
      h("p", {}, t("search.start")),
      h("ul", {}, ["Phạm Minh Tiến", "Cục Tin học hóa", "34/QĐ-BTTTT"].map((example) =>
        h("li", {}, ctx.link(`/search?q=${encodeURIComponent(example)}`, example)))),
    );
    requestAnimationFrame(() => input.focus());
    return;
  }
  const needle = fold(q);
  const [named, numbered] = await Promise.all([ctx.api.get("/search", { q }), decisions(ctx, needle)]);
  main.dataset.position = String(named.position);
  const people = [];
  const postHits = [];
  for (const hit of named.answer || []) {
    const item = { kind: hit.entity.kind, id: hit.entity.id, name: hit.name, matched: hit.matched };
    (item.kind === "post" ? postHits : people).push(item);
  }
  const all = [...people, ...(await posts(ctx, postHits)), ...numbered];
  const order = { person: 0, committee: 1, unit: 2, post: 3, decision: 4 };
  const collator = ctx.collator();
  all.sort((a, b) => (order[a.kind] - order[b.kind]) || collator.compare(a.name, b.name));
  main.append(
    h("p", { class: "muted", id: "result-count" }, all.length ? t("search.count", { n: all.length, q }) : t("search.none", { q })),
    h("ol", { id: "results", "aria-labelledby": "result-count" }, all.map((hit) => result(ctx, hit))),
  );
}
