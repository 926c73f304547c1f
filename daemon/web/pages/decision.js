// The decision page: its record (number, kind, issuer, signer, dates), where its text is
// published, the decisions it amends, replaces or repeals and those that do so to it, and what
// it changed as a before/after diff.

import {
  strings as shared,
  merge,
  builder,
  dateNode,
  dayBefore,
  fill,
  roleName,
  codeName,
  notePosition,
  query,
  entityPath,
  entityApi,
  isNotFound,
  optional,
  put,
  inBatches,
  knownAtText,
  isoTime,
  millis,
} from "./shared.js";

export const strings = merge(shared, {
  vi: {
    "decision.number": "Số hiệu",
    "decision.plan_page": "Nhiệm vụ của kế hoạch và số liệu thực hiện",
    "decision.title": "Trích yếu",
    "decision.kind": "Loại văn bản",
    "decision.issuer": "Cơ quan ban hành",
    "decision.signer": "Người ký",
    "decision.signed_on": "Ngày ký",
    "decision.effective_on": "Ngày có hiệu lực",
    "decision.recorded_at": "Ghi nhận vào hệ thống",
    "decision.retroactive": "Có hiệu lực trước ngày ký",
    "decision.texts": "Toàn văn đã đăng",
    "decision.no_texts": "Chưa ghi nhận nơi đăng toàn văn.",
    "decision.links": "Liên kết với văn bản khác",
    "decision.no_links": "Không sửa đổi, thay thế hay bãi bỏ văn bản nào, và chưa bị văn bản nào sửa đổi, thay thế hay bãi bỏ.",
    "rel.amends": "Sửa đổi, bổ sung",
    "rel.replaces": "Thay thế",
    "rel.repeals": "Bãi bỏ",
    "rel.amended_by": "Được sửa đổi, bổ sung bởi",
    "rel.replaced_by": "Được thay thế bởi",
    "rel.repealed_by": "Bị bãi bỏ bởi",
    "decision.changes": "Những gì văn bản đã thay đổi",
    "decision.no_changes": "Văn bản này chưa thay đổi gì trong hồ sơ.",
    "decision.before": "Trước ({date})",
    "decision.after": "Sau ({date})",
    "decision.not_yet": "Chưa tồn tại.",
    "decision.joined": "Vào",
    "decision.left": "Ra",
    "decision.moved": "Đổi vị trí",
    "decision.stayed": "{n} vị trí giữ nguyên.",
    "decision.events": "Thay đổi ghi nhận",
    "decision.known_at": "Theo hồ sơ tính đến {at}",
    "field.name": "Tên",
    "field.status": "Tình trạng",
    "field.parent": "Trực thuộc",
    "field.unit": "Đơn vị",
    "field.lead": "Đơn vị chủ trì",
    "field.deadline": "Thời hạn",
    "field.percent": "Tiến độ (%)",
    "field.active": "Còn hiệu lực",
    "yes": "Có",
    "no": "Không",
    "ukind.committee": "Ban, tổ",
    "ukind.unit": "Đơn vị",
    "ukind.person": "Cá nhân",
    "ukind.post": "Chức vụ",
    "ukind.task": "Nhiệm vụ",
    "ukind.decision": "Văn bản",
    "ustatus.active": "Đang hoạt động",
    "ustatus.merged": "Đã sáp nhập",
    "ustatus.dissolved": "Đã giải thể",
    "ustatus.not_yet_established": "Chưa thành lập",
    "dkind.decision": "Quyết định",
    "dkind.plan": "Kế hoạch",
    "dkind.notice": "Thông báo",
    "dkind.law": "Luật",
    "dkind.resolution": "Nghị quyết",
    "dkind.decree": "Nghị định",
    "dkind.directive": "Chỉ thị",
    "dkind.circular": "Thông tư",
    "dkind.official_letter": "Công văn",
    "dkind.guidance": "Hướng dẫn",
    "dkind.report": "Báo cáo",
    "dkind.other": "Văn bản khác",
  },
  en: {
    "decision.number": "Number",
    "decision.plan_page": "The plan's tasks and report",
    "decision.title": "Title",
    "decision.kind": "Kind",
    "decision.issuer": "Issuer",
    "decision.signer": "Signer",
    "decision.signed_on": "Signed on",
    "decision.effective_on": "In force from",
    "decision.recorded_at": "Recorded",
    "decision.retroactive": "In force before it was signed",
    "decision.texts": "Published text",
    "decision.no_texts": "No link to its published text is recorded yet.",
    "decision.links": "Links to other documents",
    "decision.no_links": "It amends, replaces or repeals nothing, and nothing amends, replaces or repeals it yet.",
    "rel.amends": "Amends",
    "rel.replaces": "Replaces",
    "rel.repeals": "Repeals",
    "rel.amended_by": "Amended by",
    "rel.replaced_by": "Replaced by",
    "rel.repealed_by": "Repealed by",
    "decision.changes": "What it changed",
    "decision.no_changes": "This document has changed nothing on record.",
    "decision.before": "Before ({date})",
    "decision.after": "After ({date})",
    "decision.not_yet": "Did not exist yet.",
    "decision.joined": "Joined",
    "decision.left": "Left",
    "decision.moved": "Changed place",
    "decision.stayed": "{n} places unchanged.",
    "decision.events": "Recorded changes",
    "decision.known_at": "As recorded up to {at}",
    "field.name": "Name",
    "field.status": "Status",
    "field.parent": "Parent",
    "field.unit": "Unit",
    "field.lead": "Lead unit",
    "field.deadline": "Deadline",
    "field.percent": "Progress (%)",
    "field.active": "In existence",
    "yes": "Yes",
    "no": "No",
    "ukind.committee": "Committee",
    "ukind.unit": "Unit",
    "ukind.person": "Person",
    "ukind.post": "Post",
    "ukind.task": "Task",
    "ukind.decision": "Document",
    "ustatus.active": "Active",
    "ustatus.merged": "Merged",
    "ustatus.dissolved": "Dissolved",
    "ustatus.not_yet_established": "Not yet established",
    "dkind.decision": "Decision",
    "dkind.plan": "Plan",
    "dkind.notice": "Notice",
    "dkind.law": "Law",
    "dkind.resolution": "Resolution",
    "dkind.decree": "Decree",
    "dkind.directive": "Directive",
    "dkind.circular": "Circular",
    "dkind.official_letter": "Official letter",
    "dkind.guidance": "Guidance",
    "dkind.report": "Report",
    "dkind.other": "Other document",
  },
});

const FORWARD = ["amends", "replaces", "repeals"];
const REVERSE = { amends: "amended_by", replaces: "replaced_by", repeals: "repealed_by" };
// Enough pages of the decision list to find every document that cites this one in a store of
// ordinary size, without walking an unbounded list on each visit.
const MAX_LIST_PAGES = 20;

export async function render(ctx) {
  const el = builder(ctx);
  const knownAt = ctx.query.get("known_at") || "";
  const changesBody = await ctx.api.get(
    `/v1/decisions/${encodeURIComponent(ctx.id)}/changes`,
    query({ known_at: knownAt }),
  );
  notePosition(ctx, changesBody);
  const answer = changesBody.answer;
  const d = answer.decision;

  const reverse = await reverseLinks(ctx, d.id, knownAt);
  const recordedAt = earliest(answer.changes.map((c) => c.recorded_at)) || (await recordedOf(d.id, knownAt));

  put(
    ctx,
    el("h1", {}, d.number),
    d.title ? el("p", { class: "subtitle" }, d.title) : null,
    d.kind === "plan" ? el("p", { class: "plan-link" }, ctx.link(`/plans/${d.id}`, ctx.t("decision.plan_page"))) : null,
    knownAt ? el("p", { class: "known-at-note" }, fill(ctx, "decision.known_at", { at: knownAtText(ctx, knownAt) })) : null,
    record(ctx, d, recordedAt),
    texts(ctx, d),
    links(ctx, d, reverse),
    await changes(ctx, answer, knownAt),
  );
}

function record(ctx, d, recordedAt) {
  const el = builder(ctx);
  const row = (field, label, value) =>
    [el("dt", {}, ctx.t(label)), el("dd", { "data-field": field }, value)];
  const dateDd = (field, label, date) => [
    el("dt", {}, ctx.t(label)),
    dateNode(ctx, "dd", date, { "data-field": field }),
  ];
  // The API names the kind in Vietnamese; a kind this page does not know keeps that name.
  const known = codeName(ctx, "dkind", d.kind);
  const kindText = known !== d.kind ? known : d.kind_name;
  return el(
    "dl",
    { id: "decision", class: "record" },
    row("number", "decision.number", d.number),
    row("kind", "decision.kind", kindText || d.kind),
    row("issuer", "decision.issuer", d.issuer ? ctx.link(`/units/${d.issuer.id}`, d.issuer.name) : ctx.t("shared.none")),
    row("signer", "decision.signer", d.signer ? ctx.link(`/people/${d.signer.id}`, d.signer.name) : ctx.t("shared.none")),
    dateDd("signed_on", "decision.signed_on", d.signed_on),
    el("dt", {}, ctx.t("decision.effective_on")),
    el(
      "dd",
      { "data-field": "effective_on", "data-date": d.in_force_on },
      ctx.fmtDate(d.in_force_on),
      d.in_force_before_signed ? el("span", { class: "flag retroactive" }, ` (${ctx.t("decision.retroactive")})`) : null,
    ),
    el("dt", {}, ctx.t("decision.recorded_at")),
    recordedAt
      ? el("dd", { "data-field": "recorded_at", "data-time": isoTime(recordedAt) }, ctx.fmtTime(recordedAt))
      : el("dd", { "data-field": "recorded_at" }, ctx.t("shared.none")),
  );
}

/**
 * Where the decision's text is published, each link with its note. The domain takes only
 * http(s) links; any other is shown as text, never as a link. A link leaves the app: it opens
 * in a new tab and tells the site neither this page nor a way back.
 */
function texts(ctx, d) {
  const el = builder(ctx);
  const list = d.links || [];
  const web = (url) => /^https?:\/\//i.test(url);
  return el(
    "section",
    { class: "texts", "aria-labelledby": "texts-title" },
    el("h2", { id: "texts-title" }, ctx.t("decision.texts")),
    list.length === 0 ? el("p", { class: "empty" }, ctx.t("decision.no_texts")) : null,
    el(
      "ul",
      { id: "texts", hidden: list.length === 0 },
      list.map((l) =>
        el(
          "li",
          {},
          web(l.url)
            ? el("a", { href: l.url, rel: "noopener noreferrer", target: "_blank", "data-field": "text" }, l.url)
            : el("span", { "data-field": "text" }, l.url),
          l.note ? el("span", { class: "note" }, ` (${l.note})`) : null,
        ),
      ),
    ),
  );
}

/** Decisions that amend, replace or repeal this one: the API names only the forward links. */
async function reverseLinks(ctx, id, knownAt) {
  const found = { amended_by: [], replaced_by: [], repealed_by: [] };
  let cursor = "";
  for (let page = 0; page < MAX_LIST_PAGES; page += 1) {
    const body = (await ctx.api.get("/v1/decisions", query({ known_at: knownAt, limit: 1000, cursor }))).answer || {};
    for (const item of body.items || []) {
      const det = item.details && item.details.decision;
      if (!det) continue;
      for (const rel of FORWARD) {
        if ((det[rel] || []).some((r) => r.id === id)) {
          found[REVERSE[rel]].push({ id: item.id, number: det.number });
        }
      }
    }
    if (!body.next_cursor) break;
    cursor = body.next_cursor;
  }
  return found;
}

function links(ctx, d, reverse) {
  const el = builder(ctx);
  const items = [];
  for (const rel of FORWARD) {
    for (const r of d[rel] || []) items.push([rel, r]);
  }
  for (const rel of Object.values(REVERSE)) {
    for (const r of reverse[rel]) items.push([rel, r]);
  }
  return el(
    "section",
    { class: "links", "aria-labelledby": "links-title" },
    el("h2", { id: "links-title" }, ctx.t("decision.links")),
    items.length === 0 ? el("p", { class: "empty" }, ctx.t("decision.no_links")) : null,
    el(
      "ul",
      { id: "links", hidden: items.length === 0 },
      items.map(([rel, r]) =>
        el(
          "li",
          {},
          el("span", { class: "rel" }, `${ctx.t(`rel.${rel}`)}: `),
          el("a", { href: `/decisions/${r.id}`, "data-rel": rel }, r.number),
        ),
      ),
    ),
  );
}

/**
 * When a decision that changed nothing was recorded: its own history, which only auditors may
 * read; others see no time.
 */
async function recordedOf(id, knownAt) {
  const body = await optional(`/v1/history/decision/${id}`, { known_at: knownAt });
  const first = body && Array.isArray(body.answer) ? body.answer[0] : null;
  return first ? first.recorded_at : null;
}

function earliest(times) {
  const known = times.filter((x) => !Number.isNaN(millis(x)));
  if (known.length === 0) return null;
  return known.reduce((a, b) => (millis(b) < millis(a) ? b : a));
}

/** The changes grouped by the entity they touch, in the order first touched. */
function groups(changes) {
  const byKey = new Map();
  for (const c of changes) {
    const key = `${c.entity.kind}/${c.entity.id}`;
    if (!byKey.has(key)) byKey.set(key, { kind: c.entity.kind, id: c.entity.id, changes: [] });
    byKey.get(key).changes.push(c);
  }
  return [...byKey.values()];
}

async function summaryOn(ctx, kind, id, on, knownAt) {
  const path = entityApi(kind, id);
  if (!path) return null;
  try {
    return (await ctx.api.get(path, query({ on, known_at: knownAt }))).answer;
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

/** The seats, people and memberships the decision's own changes name, at any depth. */
function touchedBy(changes) {
  const touched = { seats: new Set(), persons: new Set(), memberships: new Set() };
  const sets = { seat: touched.seats, person: touched.persons, membership: touched.memberships };
  const walk = (v) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if (sets[k] && typeof x === "string") sets[k].add(x);
        else walk(x);
      }
    }
  };
  for (const c of changes) walk(c.event);
  return touched;
}

/** Every holding of a composition answer and its sub-bodies. */
function holdingsOf(c, out = []) {
  for (const seat of (c && c.seats) || []) for (const h of seat.holders || []) out.push({ seat: seat.seat, holder: h });
  for (const sub of (c && c.sub_bodies) || []) holdingsOf(sub, out);
  return out;
}

/**
 * A composition diff compares the committee on the day before and on the day, so another
 * decision in force that day shows in it too; this keeps the lines this decision's changes
 * name. An ending names only its membership: its seat and holder are read off the day before.
 */
async function ownLines(ctx, diffs, changes, knownAt) {
  const touched = touchedBy(changes);
  if (touched.memberships.size > 0) {
    await inBatches([...diffs.values()], 4, async (diff) => {
      let body = null;
      try {
        body = await ctx.api.get(`/v1/committees/${encodeURIComponent(diff.committee)}/composition`, query({ on: diff.before, known_at: knownAt }));
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      for (const { seat, holder } of holdingsOf(body && body.answer)) {
        if (!touched.memberships.has(holder.membership)) continue;
        touched.seats.add(seat);
        if (holder.person) touched.persons.add(holder.person.id);
      }
    });
  }
  const mine = (e) => touched.seats.has(e.seat) || (e.person && touched.persons.has(e.person));
  for (const [id, diff] of diffs) {
    diffs.set(id, {
      ...diff,
      joined: (diff.joined || []).filter(mine),
      left: (diff.left || []).filter(mine),
      changed: (diff.changed || []).filter((c) => mine(c.before) || mine(c.after)),
    });
  }
}

async function changes(ctx, answer, knownAt) {
  const el = builder(ctx);
  const diffs = new Map((answer.compositions || []).map((c) => [c.committee, c]));
  await ownLines(ctx, diffs, answer.changes || [], knownAt);
  const list = groups(answer.changes || []);
  const parts = [];
  const names = new Map();
  // Two reads per entity, a few entities at a time: a plan may touch hundreds of tasks.
  const loaded = await inBatches(list, 4, async (g) => {
    const first = g.changes.map((c) => c.valid_from).filter(Boolean).sort()[0];
    const diff = diffs.get(g.id);
    const beforeOn = diff ? diff.before : dayBefore(first);
    const afterOn = diff ? diff.after : first;
    const [before, after] = await Promise.all([
      summaryOn(ctx, g.kind, g.id, beforeOn, knownAt),
      summaryOn(ctx, g.kind, g.id, afterOn, knownAt),
    ]);
    if (after && after.name) names.set(g.id, after.name);
    return { g, diff, beforeOn, afterOn, before, after };
  });
  for (const x of loaded) parts.push(change(ctx, x, names));
  return el(
    "section",
    { id: "changes", "aria-labelledby": "changes-title" },
    el("h2", { id: "changes-title" }, ctx.t("decision.changes")),
    parts.length === 0 ? el("p", { class: "empty" }, ctx.t("decision.no_changes")) : null,
    parts,
  );
}

function change(ctx, { g, diff, beforeOn, afterOn, before, after }, names) {
  const el = builder(ctx);
  const name = (after && after.name) || (before && before.name) || g.id;
  const href = entityPath(g.kind, g.id);
  const [beforeRows, afterRows] = summaryRows(ctx, g.kind, before, after);
  return el(
    "article",
    { class: "change", "data-kind": g.kind, "data-entity": g.id },
    el(
      "h3",
      {},
      el("span", { class: "entity-kind" }, `${codeName(ctx, "ukind", g.kind)}: `),
      href ? ctx.link(href, name) : name,
    ),
    el(
      "div",
      { class: "diff" },
      el(
        "div",
        { class: "before", "data-date": beforeOn },
        el("h4", {}, fill(ctx, "decision.before", { date: ctx.fmtDate(beforeOn) })),
        beforeRows,
        diff ? seatList(ctx, "left", diff.left, diff.changed.map((c) => c.before), names, diff.committee) : null,
      ),
      el(
        "div",
        { class: "after", "data-date": afterOn },
        el("h4", {}, fill(ctx, "decision.after", { date: ctx.fmtDate(afterOn) })),
        afterRows,
        diff ? seatList(ctx, "joined", diff.joined, diff.changed.map((c) => c.after), names, diff.committee) : null,
      ),
    ),
    diff && diff.stayed > 0 ? el("p", { class: "stayed" }, fill(ctx, "decision.stayed", { n: diff.stayed })) : null,
    el(
      "details",
      { class: "events" },
      el("summary", {}, `${ctx.t("decision.events")} (${g.changes.length})`),
      el(
        "ol",
        {},
        g.changes.map((c) =>
          el(
            "li",
            { "data-position": c.position },
            el("span", { class: "what", "data-what": c.what }, codeName(ctx, "what", c.what)),
            " · ",
            dateNode(ctx, "span", c.valid_from),
          ),
        ),
      ),
    ),
  );
}

/** What an entity was on each side, as a list of fields; the ones that differ are marked. */
function summaryRows(ctx, kind, before, after) {
  const el = builder(ctx);
  const fields = (s) => (s && s.active ? describe(ctx, kind, s) : null);
  const b = fields(before);
  const a = fields(after);
  const side = (mine, other) => {
    if (!mine) return el("p", { class: "absent" }, ctx.t("decision.not_yet"));
    return el(
      "dl",
      { class: "fields" },
      mine.map(([key, text, date]) => {
        const peer = other && other.find((o) => o[0] === key);
        const differs = !peer || peer[1] !== text;
        return [
          el("dt", {}, ctx.t(`field.${key}`)),
          el("dd", { "data-field": key, class: differs ? "differs" : null, "data-date": date }, text),
        ];
      }),
    );
  };
  return [side(b, a), side(a, b)];
}

function describe(ctx, kind, s) {
  const det = (s.details && s.details[kind]) || {};
  const rows = [["name", s.name || ctx.t("shared.none")]];
  const nameOf = (r) => (r && (r.name || r.number || r.title)) || ctx.t("shared.none");
  switch (kind) {
    case "unit":
      rows.push(["status", codeName(ctx, "ustatus", det.status)]);
      rows.push(["parent", nameOf(det.parent)]);
      break;
    case "committee":
      rows.push(["parent", nameOf(det.parent)]);
      rows.push(["unit", nameOf(det.unit)]);
      break;
    case "post":
      rows.push(["unit", nameOf(det.unit)]);
      break;
    case "task":
      rows.push(["status", det.status ? codeName(ctx, "status", det.status) : ctx.t("shared.none")]);
      rows.push(["lead", nameOf(det.lead)]);
      rows.push(["deadline", det.deadline ? ctx.fmtDate(det.deadline) : ctx.t("shared.none"), det.deadline]);
      rows.push(["percent", det.percent === null || det.percent === undefined ? ctx.t("shared.none") : String(det.percent)]);
      break;
    default:
      rows.push(["active", ctx.t(s.active ? "yes" : "no")]);
  }
  return rows;
}

/** The seats one side of a composition diff holds: those that left (or joined), and moved. */
function seatList(ctx, which, entries, moved, names, committee) {
  const el = builder(ctx);
  const item = (e, how) =>
    el(
      "li",
      { class: `seat-entry ${how}`, "data-seat": e.seat, "data-person": e.person },
      el("span", { class: "how" }, `${ctx.t(`decision.${how}`)}: `),
      e.person ? ctx.link(`/people/${e.person}`, e.person_name || e.person) : ctx.t("shared.vacant"),
      " — ",
      el("span", { class: "role", "data-role": e.role }, roleName(ctx, e.role)),
      e.label ? el("span", { class: "label" }, ` (${e.label})`) : null,
      e.committee && e.committee !== committee && names.has(e.committee)
        ? el("span", { class: "sub-body" }, ` · ${names.get(e.committee)}`)
        : null,
    );
  const rows = [...entries.map((e) => item(e, which)), ...moved.map((e) => item(e, "moved"))];
  if (rows.length === 0) return null;
  return el("ul", { class: `seats ${which}` }, rows);
}
