// A person: the posts held and the committee seats sat in, personally or ex officio through
// a post, on one tenure timeline, each with the decision behind it.

export const strings = {
  vi: {
    "p.names": "Tên qua các thời kỳ",
    "p.tenures": "Quá trình công tác",
    "p.tenures.hint": "Chức vụ và ghế trong các ban, theo ngày bắt đầu. Ghế theo chức vụ (đương nhiên) được đánh dấu.",
    "p.none": "Chưa có chức vụ hay ghế nào được ghi nhận.",
    "p.post": "Chức vụ",
    "p.seat": "Ghế",
    "p.ex_officio": "theo chức vụ {post}",
    "p.in": "tại {unit}",
    "p.on_behalf": "đại diện {unit}",
    "p.from_to": "{from} – {to}",
    "p.now": "nay",
    "p.by": "Quyết định:",
    "p.ended_by": "kết thúc theo",
    "p.appointed_by": "bổ nhiệm chức vụ theo",
    "p.no_decision": "không ghi quyết định",
    "p.since_on": "Đánh dấu những gì đang giữ ngày {date}.",
    "p.current": "đang giữ",
  },
  en: {
    "p.names": "Names over time",
    "p.tenures": "Tenures",
    "p.tenures.hint": "Posts and committee seats, by start date. Seats held ex officio are marked.",
    "p.none": "No post or seat is recorded.",
    "p.post": "Post",
    "p.seat": "Seat",
    "p.ex_officio": "ex officio as {post}",
    "p.in": "in {unit}",
    "p.on_behalf": "on behalf of {unit}",
    "p.from_to": "{from} – {to}",
    "p.now": "now",
    "p.by": "Decision:",
    "p.ended_by": "ended by",
    "p.appointed_by": "appointed to the post by",
    "p.no_decision": "no decision recorded",
    "p.since_on": "Marked: what was held on {date}.",
    "p.current": "held",
  },
};

const pad = (n) => String(n).padStart(2, "0");
function todayIso() {
  const d = new Date();
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
const days = (iso) => Date.parse(`${iso}T00:00:00Z`) / 86400000;

function decisionLink(ctx, decision) {
  return decision ? ctx.link(`/decisions/${encodeURIComponent(decision.id)}`, decision.number || decision.id) : null;
}

export async function render(ctx) {
  const { h, t, fmtDate, main, api, link } = ctx;
  const on = /^\d{4}-\d{2}-\d{2}$/.test(ctx.query.get("on") || "") ? ctx.query.get("on") : null;
  const history = await api.get(`/people/${encodeURIComponent(ctx.id)}/history`, {});
  main.dataset.position = String(history.position);
  const a = history.answer;
  const names = a.names || [];
  const nameOn = (date) => {
    let chosen = names[names.length - 1];
    for (const n of names) if (!date || n.from <= date) chosen = n;
    return chosen ? chosen.name : ctx.id;
  };
  main.append(h("h1", {}, nameOn(on)));
  if (names.length > 1) {
    main.append(
      h("h2", {}, t("p.names")),
      h("ol", { id: "names" }, names.map((n) => h("li", { dataset: { from: n.from } }, h("span", { dataset: { date: n.from } }, fmtDate(n.from)), ": ", n.name))),
    );
  }

  const tenures = [];
  for (const p of a.positions || []) {
    tenures.push({ kind: "post", from: p.from, to: p.ended_on, record: p });
  }
  for (const m of a.memberships || []) {
    tenures.push({ kind: "seat", from: m.from, to: m.ended_on, record: m, exOfficio: false });
  }
  for (const x of a.ex_officio || []) {
    tenures.push({ kind: "seat", from: x.from, to: x.ended_on, record: x, exOfficio: true });
  }
  tenures.sort((x, y) => (x.from < y.from ? -1 : x.from > y.from ? 1 : x.kind === y.kind ? 0 : x.kind === "post" ? -1 : 1));

  const today = todayIso();
  const start = tenures.length ? days(tenures[0].from) : days(today);
  const end = Math.max(days(today), ...tenures.map((x) => days(x.to || today)));
  const span = Math.max(1, end - start);

  const item = (x) => {
    const r = x.record;
    const to = x.to || "";
    const held = on && x.from <= on && (!x.to || on < x.to);
    const bar = h("span", {});
    // CSSOM positions are not inline styles in the CSP's sense: no style attribute is parsed.
    bar.style.left = `${((days(x.from) - start) / span) * 100}%`;
    bar.style.width = `${Math.max(0.5, ((days(x.to || today) - days(x.from)) / span) * 100)}%`;
    const when = h(
      "span",
      { class: "when" },
      h("span", { dataset: { date: x.from } }, fmtDate(x.from)),
      " – ",
      to ? h("span", { dataset: { date: to } }, fmtDate(to)) : t("p.now"),
    );
    let what;
    let decisions;
    if (x.kind === "post") {
      what = [
        h("span", { class: "kind" }, t("p.post")),
        " ",
        link(`/units/${encodeURIComponent(r.post.unit.id)}${on ? `?on=${on}` : ""}`, r.post.title),
      ];
      decisions = [r.decision ? [t("p.by"), " ", decisionLink(ctx, r.decision)] : h("span", { class: "muted" }, t("p.no_decision"))];
    } else {
      what = [
        h("span", { class: "kind" }, t("p.seat")),
        " ",
        h("strong", {}, t(`role1.${r.role}`)),
        ", ",
        link(`/committees/${encodeURIComponent(r.committee)}?on=${held ? on : x.from}`, r.committee_name || r.committee),
        r.on_behalf_of ? [" (", t("p.on_behalf", { unit: "" }), link(`/units/${encodeURIComponent(r.on_behalf_of.id)}`, r.on_behalf_of.name), ")"] : null,
        x.exOfficio ? [" ", h("span", { class: "ex" }, t("p.ex_officio", { post: r.post.title }))] : null,
      ];
      decisions = [
        t("p.by"),
        " ",
        decisionLink(ctx, r.decision),
        r.end_decision ? ["; ", t("p.ended_by"), " ", decisionLink(ctx, r.end_decision)] : null,
        x.exOfficio && r.post_decision ? ["; ", t("p.appointed_by"), " ", decisionLink(ctx, r.post_decision)] : null,
      ];
    }
    return h(
      "li",
      { class: ["tenure", x.exOfficio ? "ex-officio" : null, held ? "current" : null], dataset: { kind: x.kind, from: x.from, to } },
      when,
      h("span", { class: "what" }, what, held ? h("span", { class: "badge" }, t("p.current")) : null, h("span", { class: "decisions" }, decisions)),
      h("span", { class: "bar", "aria-hidden": "true" }, bar),
    );
  };

  main.append(
    h("h2", { id: "tenures-title" }, t("p.tenures")),
    h("p", { class: "hint" }, on ? [t("p.tenures.hint"), " ", t("p.since_on", { date: fmtDate(on) })] : t("p.tenures.hint")),
    tenures.length ? h("ol", { id: "tenures", "aria-labelledby": "tenures-title" }, tenures.map(item)) : h("p", { class: "muted" }, t("p.none")),
  );
}
