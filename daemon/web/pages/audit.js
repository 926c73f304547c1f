// The audit page, for auditor and admin tokens: who changed what, when, citing which decision,
// with what reason, filtered by entity, actor and recording time.

import {
  strings as shared,
  merge,
  builder,
  dateNode,
  fill,
  codeName,
  notePosition,
  query,
  isDate,
  entityPath,
  entityApi,
  isNotFound,
  standingCode,
  describeEntry,
  eventParts,
  put,
  inBatches,
  labelCells,
  isoTime,
  millis,
} from "./shared.js";

export const strings = merge(shared, {
  vi: {
    "audit.title": "Nhật ký thay đổi",
    "audit.filter": "Lọc",
    "audit.entity": "Đối tượng",
    "audit.entity_hint": "Mã hoặc định danh, có thể kèm loại: committee/bcd-cchc-bo-tttt",
    "audit.actor": "Người thực hiện",
    "audit.actor_hint": "Ví dụ: token:van-phong",
    "audit.from": "Ghi nhận từ ngày",
    "audit.to": "Ghi nhận đến ngày",
    "audit.apply": "Lọc",
    "audit.clear": "Bỏ lọc",
    "audit.latest": "Các thay đổi ghi nhận gần nhất",
    "audit.since": "Các thay đổi ghi nhận từ ngày {date}",
    "audit.of_entity": "Các thay đổi của {name}",
    "audit.of_actor": "Các thay đổi do {actor} ghi nhận",
    "audit.when": "Thời điểm ghi nhận",
    "audit.who": "Người thực hiện",
    "audit.what": "Thay đổi",
    "audit.valid": "Có hiệu lực từ",
    "audit.which": "Đối tượng",
    "audit.decision": "Căn cứ",
    "audit.reason": "Lý do",
    "audit.none": "Không có thay đổi nào khớp bộ lọc.",
    "audit.no_decision": "—",
    "audit.forbidden": "Trang này cần mã truy cập của kiểm tra viên (auditor) hoặc quản trị (admin). Mã hiện tại không có quyền xem nhật ký.",
    "audit.other_token": "Dùng mã truy cập khác",
    "audit.unknown_entity": "Không tìm thấy đối tượng “{id}”.",
    "audit.bad_date": "Ngày phải có dạng dd/mm/yyyy.",
    "kind.committee": "Ban, tổ",
    "kind.unit": "Đơn vị",
    "kind.person": "Cá nhân",
    "kind.post": "Chức vụ",
    "kind.task": "Nhiệm vụ",
    "kind.decision": "Văn bản",
  },
  en: {
    "audit.title": "Audit trail",
    "audit.filter": "Filter",
    "audit.entity": "Entity",
    "audit.entity_hint": "An id or slug, optionally with its kind: committee/bcd-cchc-bo-tttt",
    "audit.actor": "Actor",
    "audit.actor_hint": "For example token:van-phong",
    "audit.from": "Recorded from",
    "audit.to": "Recorded until",
    "audit.apply": "Filter",
    "audit.clear": "Clear",
    "audit.latest": "The latest recorded changes",
    "audit.since": "Changes recorded from {date}",
    "audit.of_entity": "Changes to {name}",
    "audit.of_actor": "Changes recorded by {actor}",
    "audit.when": "Recorded at",
    "audit.who": "Actor",
    "audit.what": "Change",
    "audit.valid": "Valid from",
    "audit.which": "Entity",
    "audit.decision": "Citing",
    "audit.reason": "Reason",
    "audit.none": "No change matches the filter.",
    "audit.no_decision": "—",
    "audit.forbidden": "This page needs an auditor or admin token. The token in use may not read the audit trail.",
    "audit.other_token": "Use another token",
    "audit.unknown_entity": "No entity “{id}” is known.",
    "audit.bad_date": "Dates are written dd/mm/yyyy.",
    "kind.committee": "Committee",
    "kind.unit": "Unit",
    "kind.person": "Person",
    "kind.post": "Post",
    "kind.task": "Task",
    "kind.decision": "Document",
  },
});

const KINDS = ["committee", "unit", "person", "post", "decision", "task"];
// The newest changes shown when no filter narrows the trail.
const LATEST = 100;
// Names are looked up for at most this many distinct entities of one answer.
const MAX_NAMES = 60;
const MAX_LIST_PAGES = 20;

export async function render(ctx) {
  const el = builder(ctx);
  const filter = {
    entity: (ctx.query.get("entity") || "").trim(),
    actor: (ctx.query.get("actor") || "").trim(),
    from: (ctx.query.get("from") || "").trim(),
    to: (ctx.query.get("to") || "").trim(),
  };
  put(ctx, el("h1", {}, ctx.t("audit.title")), form(ctx, filter));

  let result;
  try {
    result = await load(ctx, filter);
  } catch (err) {
    if (err && err.status === 403) {
      put(ctx, forbidden(ctx));
      return;
    }
    throw err;
  }
  if (result.unknown) {
    put(ctx, el("p", { id: "audit-empty", class: "empty" }, fill(ctx, "audit.unknown_entity", { id: filter.entity })));
    return;
  }
  put(ctx, table(ctx, result));
}

function form(ctx, filter) {
  const el = builder(ctx);
  const field = (id, label, type, value, hint) =>
    el(
      "div",
      { class: "field" },
      el("label", { for: id }, ctx.t(label)),
      el("input", { id, name: id, type, value, "aria-describedby": hint ? `${id}-hint` : null, autocomplete: "off" }),
      hint ? el("small", { id: `${id}-hint`, class: "hint" }, ctx.t(hint)) : null,
    );
  const f = el(
    "form",
    { id: "audit-filter", role: "search" },
    el(
      "fieldset",
      {},
      el("legend", {}, ctx.t("audit.filter")),
      field("entity", "audit.entity", "text", filter.entity, "audit.entity_hint"),
      field("actor", "audit.actor", "text", filter.actor, "audit.actor_hint"),
      field("from", "audit.from", "date", isDate(filter.from) ? filter.from : ""),
      field("to", "audit.to", "date", isDate(filter.to) ? filter.to : ""),
      el("div", { class: "actions" }, el("button", { type: "submit" }, ctx.t("audit.apply")), el("button", { type: "reset", id: "audit-clear" }, ctx.t("audit.clear"))),
    ),
  );
  f.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const params = new URLSearchParams();
    for (const name of ["entity", "actor", "from", "to"]) {
      const value = f.querySelector(`#${name}`).value.trim();
      if (value) params.set(name, value);
    }
    const qs = params.toString();
    ctx.navigate(qs ? `/audit?${qs}` : "/audit");
  });
  f.addEventListener("reset", (ev) => {
    ev.preventDefault();
    ctx.navigate("/audit");
  });
  return f;
}

function forbidden(ctx) {
  const el = builder(ctx);
  const button = el("button", { type: "button", id: "forbidden-token" }, ctx.t("audit.other_token"));
  button.addEventListener("click", () => {
    sessionStorage.removeItem("reformlog.token");
    ctx.navigate(`${location.pathname}${location.search}`);
  });
  return el("div", { id: "forbidden", role: "alert", class: "forbidden" }, el("p", {}, ctx.t("audit.forbidden")), button);
}

/** The API's recorded-time bounds: a date as the daemon's day, any other text as given. */
function range(filter) {
  return { recorded_from: filter.from, recorded_to: filter.to };
}

async function load(ctx, filter) {
  if (filter.entity) return byEntity(ctx, filter);
  if (filter.actor) {
    const body = await ctx.api.get("/v1/audit/changes", query({ actor: filter.actor, ...range(filter) }));
    notePosition(ctx, body);
    const rows = (body.answer || []).map(fromHistory);
    return { heading: fill(ctx, "audit.of_actor", { actor: filter.actor }), rows: await named(ctx, rows) };
  }
  return latest(ctx, filter);
}

/** `kind/id` or `kind:id` names the kind; a bare id is tried as each kind in turn. */
async function byEntity(ctx, filter) {
  const m = /^([a-z]+)[/:](.+)$/.exec(filter.entity);
  const kinds = m && KINDS.includes(m[1]) ? [m[1]] : KINDS;
  const id = m && KINDS.includes(m[1]) ? m[2] : filter.entity;
  for (const kind of kinds) {
    let body;
    try {
      body = await ctx.api.get(`/v1/history/${kind}/${encodeURIComponent(id)}`, query(range(filter)));
    } catch (err) {
      if (isNotFound(err)) continue;
      throw err;
    }
    notePosition(ctx, body);
    let rows = (body.answer || []).map(fromHistory);
    if (filter.actor) rows = rows.filter((r) => r.actor === filter.actor);
    rows = await named(ctx, rows);
    const name = (rows[0] && rows[0].entityName) || id;
    return { heading: fill(ctx, "audit.of_entity", { name }), rows };
  }
  return { unknown: true };
}

/** A date's start (or end) in the browser's time zone as RFC 3339; any other text as given. */
function bound(text, end) {
  if (!isDate(text)) return text;
  const d = new Date(`${text}T00:00:00`);
  if (end) d.setDate(d.getDate() + 1);
  return d.toISOString();
}

/**
 * When no entity or actor is given: the log's changes recorded from a date on (the first
 * ones), or else up to a date (the newest by then), or the newest of all.
 */
async function latest(ctx, filter) {
  const from = bound(filter.from, false);
  const to = bound(filter.to, true);
  let params;
  if (from) {
    params = { since: from, limit: LATEST };
  } else if (to) {
    // The first change recorded after the range bounds a backward read.
    const after = await ctx.api.get("/v1/events", { since: to, limit: 1 });
    const next = (after.answer.events || [])[0];
    params = next ? { direction: "backward", from: Math.max(next.position - 1, 1), limit: LATEST } : { direction: "backward", limit: LATEST };
    if (next && next.position <= 1) return { heading: ctx.t("audit.latest"), rows: [] };
  } else {
    params = { direction: "backward", limit: LATEST };
  }
  const body = await ctx.api.get("/v1/events", query(params));
  let rows = (body.answer.events || []).map(fromEvent);
  if (rows.length) ctx.main.dataset.position = String(Math.max(...rows.map((r) => r.position)));
  if (to) {
    const end = Date.parse(to);
    if (!Number.isNaN(end)) rows = rows.filter((r) => millis(r.when) < end);
  }
  await numbers(ctx, rows);
  const heading = from ? fill(ctx, "audit.since", { date: isDate(filter.from) ? ctx.fmtDate(filter.from) : filter.from }) : ctx.t("audit.latest");
  return { heading, rows: await named(ctx, rows) };
}

/** A row from a history entry of `/v1/history` or `/v1/audit/changes`. */
function fromHistory(e) {
  return {
    position: e.position,
    when: e.recorded_at,
    actor: e.actor,
    kind: e.entity.kind,
    id: e.entity.id,
    what: e.what,
    entry: e,
    valid: e.valid_from,
    decision: e.decision,
    reason: e.reason,
    standing: standingCode(e.standing),
  };
}

/** A row from a log event of `/v1/events`, which names the decision by id only. */
function fromEvent(ev) {
  const [kind, payload] = eventParts(ev.data);
  const dash = ev.stream.indexOf("-");
  const inner = kind === "corrected" && payload.corrected ? eventParts(payload.corrected)[1] : payload;
  const decision = inner.decision || null;
  return {
    position: ev.position,
    when: ev.recorded_at,
    actor: ev.actor,
    kind: ev.stream.slice(0, dash),
    id: ev.stream.slice(dash + 1),
    what: ev.event_type,
    entry: { what: ev.event_type, event: ev.data },
    valid: (ev.extra && ev.extra.valid_from) || inner.on || null,
    decision: decision ? { id: decision, number: null } : null,
    reason: ev.reason,
    standing: "",
  };
}

/** Fills in decision numbers the log does not carry, from the decision list. */
async function numbers(ctx, rows) {
  if (!rows.some((r) => r.decision && !r.decision.number)) return;
  const known = new Map();
  let cursor = "";
  for (let page = 0; page < MAX_LIST_PAGES; page += 1) {
    const body = await ctx.api.get("/v1/decisions", query({ limit: 1000, cursor }));
    const page = body.answer || {};
    for (const item of page.items || []) {
      const det = item.details && item.details.decision;
      if (det) known.set(item.id, det.number);
    }
    if (!page.next_cursor) break;
    cursor = page.next_cursor;
  }
  for (const r of rows) if (r.decision && !r.decision.number) r.decision.number = known.get(r.decision.id) || r.decision.id;
}

/** Each row's entity name as it stands today, for the first entities of the answer. */
async function named(ctx, rows) {
  const keys = [...new Set(rows.map((r) => `${r.kind}/${r.id}`))].slice(0, MAX_NAMES);
  const names = new Map();
  await inBatches(keys, 6, async (key) => {
    const [kind, id] = key.split("/");
    const path = entityApi(kind, id);
    if (!path) return;
    try {
      const s = (await ctx.api.get(path, {})).answer;
      if (s && s.name) names.set(key, s.name);
    } catch (err) {
      if (!isNotFound(err) && err && err.status !== 400) throw err;
    }
  });
  for (const r of rows) r.entityName = names.get(`${r.kind}/${r.id}`) || null;
  return rows;
}

function table(ctx, { heading, rows }) {
  const el = builder(ctx);
  const cols = [
    ["when", "audit.when"],
    ["actor", "audit.who"],
    ["entity", "audit.which"],
    ["what", "audit.what"],
    ["valid", "audit.valid"],
    ["decision", "audit.decision"],
    ["reason", "audit.reason"],
  ];
  return el(
    "section",
    { class: "audit", "aria-labelledby": "audit-title" },
    el("h2", { id: "audit-title" }, heading),
    rows.length === 0 ? el("p", { id: "audit-empty", class: "empty" }, ctx.t("audit.none")) : null,
    el(
      "div",
      { class: "table-wrap" },
      labelCells(el(
        "table",
        { id: "audit", hidden: rows.length === 0 },
        el("caption", { class: "vh" }, heading),
        el("thead", {}, el("tr", {}, cols.map(([key, label]) => el("th", { scope: "col", class: key }, ctx.t(label))))),
        el(
          "tbody",
          {},
          rows.map((r) => {
            const href = entityPath(r.kind, r.id);
            const label = r.entityName || r.id;
            return el(
              "tr",
              {
                class: r.standing && r.standing !== "effective" ? `change ${r.standing.replace(/_/g, "-")}` : "change",
                "data-position": r.position,
                "data-kind": r.kind,
                "data-entity": r.id,
                "data-what": r.what,
              },
              el("td", { class: "when", "data-time": isoTime(r.when) }, r.when ? ctx.fmtTime(r.when) : ctx.t("shared.none")),
              el("td", { class: "actor" }, r.actor || ctx.t("shared.none")),
              el(
                "td",
                { class: "entity" },
                el("span", { class: "entity-kind" }, `${codeName(ctx, "kind", r.kind)}: `),
                href ? ctx.link(href, label) : label,
              ),
              el("td", { class: "what" }, describeEntry(ctx, r.entry)),
              dateNode(ctx, "td", r.valid, { class: "valid" }),
              el(
                "td",
                { class: "decision" },
                r.decision ? ctx.link(`/decisions/${r.decision.id}`, r.decision.number || r.decision.id) : ctx.t("audit.no_decision"),
              ),
              el("td", { class: "reason" }, r.reason || ctx.t("shared.none")),
            );
          }),
        ),
      )),
    ),
  );
}
