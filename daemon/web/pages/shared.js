// What the decision, unit, plan, task and audit pages share: a tolerant element builder over
// ctx.h, date cells, role and status names, and reads that may fail without asking for a token.

import { lang } from "../i18n.js";

/** Labels more than one of these pages shows. */
export const strings = {
  vi: {
    "status.open": "Đang thực hiện",
    "status.completed": "Đã hoàn thành",
    "status.cancelled": "Đã hủy",
    "standing.open": "Đang thực hiện",
    "standing.overdue": "Quá hạn",
    "standing.completed_on_time": "Hoàn thành đúng hạn",
    "standing.completed_late": "Hoàn thành muộn",
    "standing.cancelled": "Đã hủy",
    "shared.none": "—",
    "shared.overdue": "Quá hạn",
    "shared.on": "Ngày xem",
    "shared.show": "Xem",
    "shared.vacant": "(trống)",
    "shared.position": "vị trí {n} của nhật ký",
    "what.unit_established": "Thành lập đơn vị",
    "what.unit_renamed": "Đổi tên đơn vị",
    "what.unit_moved": "Chuyển đơn vị cấp trên",
    "what.unit_merged": "Sáp nhập đơn vị",
    "what.unit_dissolved": "Giải thể đơn vị",
    "what.person_registered": "Ghi nhận cá nhân",
    "what.person_renamed": "Đổi tên cá nhân",
    "what.post_created": "Lập chức vụ",
    "what.post_holder_appointed": "Bổ nhiệm vào chức vụ",
    "what.post_holder_left": "Thôi giữ chức vụ",
    "what.post_abolished": "Bãi bỏ chức vụ",
    "what.decision_recorded": "Ghi nhận văn bản",
    "what.committee_established": "Thành lập ban, tổ",
    "what.committee_renamed": "Đổi tên ban, tổ",
    "what.duties_set": "Quy định nhiệm vụ",
    "what.seat_created": "Lập vị trí thành viên",
    "what.seat_abolished": "Bãi bỏ vị trí thành viên",
    "what.membership_started": "Cử thành viên",
    "what.membership_ended": "Thôi làm thành viên",
    "what.committee_dissolved": "Giải thể ban, tổ",
    "what.task_created": "Giao nhiệm vụ",
    "what.task_assigned": "Phân công thực hiện",
    "what.task_reassigned": "Phân công lại",
    "what.task_deadline_extended": "Gia hạn",
    "what.task_progress_reported": "Báo cáo tiến độ",
    "what.task_completed": "Hoàn thành",
    "what.task_cancelled": "Hủy nhiệm vụ",
    "what.task_reopened": "Mở lại nhiệm vụ",
    "what.corrected": "Đính chính",
    "what.retracted": "Thu hồi",
    "what.seat_holder_designated": "Chỉ định người ngồi ghế theo chức vụ",
    "standing.corrected_by": "đã được đính chính",
    "standing.retracted_by": "đã bị thu hồi",
    "standing.correction": "đính chính một ghi nhận trước",
    "standing.retraction": "thu hồi một ghi nhận trước",
    "standing.effective": "có hiệu lực",
    "detail.deadline": "thời hạn {date}",
    "detail.percent": "{n}%",
    "detail.lead": "chủ trì: {name}",
    "detail.name": "tên: {name}",
    "detail.title": "{name}",
  },
  en: {
    "status.open": "Open",
    "status.completed": "Completed",
    "status.cancelled": "Cancelled",
    "standing.open": "Open",
    "standing.overdue": "Overdue",
    "standing.completed_on_time": "Completed on time",
    "standing.completed_late": "Completed late",
    "standing.cancelled": "Cancelled",
    "shared.none": "—",
    "shared.overdue": "Overdue",
    "shared.on": "Date shown",
    "shared.show": "Show",
    "shared.vacant": "(vacant)",
    "shared.position": "log position {n}",
    "what.unit_established": "Unit established",
    "what.unit_renamed": "Unit renamed",
    "what.unit_moved": "Unit moved",
    "what.unit_merged": "Unit merged",
    "what.unit_dissolved": "Unit dissolved",
    "what.person_registered": "Person registered",
    "what.person_renamed": "Person renamed",
    "what.post_created": "Post created",
    "what.post_holder_appointed": "Appointed to the post",
    "what.post_holder_left": "Left the post",
    "what.post_abolished": "Post abolished",
    "what.decision_recorded": "Document recorded",
    "what.committee_established": "Committee established",
    "what.committee_renamed": "Committee renamed",
    "what.duties_set": "Duties set",
    "what.seat_created": "Seat created",
    "what.seat_abolished": "Seat abolished",
    "what.membership_started": "Member appointed",
    "what.membership_ended": "Membership ended",
    "what.committee_dissolved": "Committee dissolved",
    "what.task_created": "Task created",
    "what.task_assigned": "Task assigned",
    "what.task_reassigned": "Task reassigned",
    "what.task_deadline_extended": "Deadline extended",
    "what.task_progress_reported": "Progress reported",
    "what.task_completed": "Task completed",
    "what.task_cancelled": "Task cancelled",
    "what.task_reopened": "Task reopened",
    "what.corrected": "Correction",
    "what.retracted": "Retraction",
    "what.seat_holder_designated": "Ex-officio holder designated",
    "standing.corrected_by": "since corrected",
    "standing.retracted_by": "since retracted",
    "standing.correction": "corrects an earlier entry",
    "standing.retraction": "retracts an earlier entry",
    "standing.effective": "in effect",
    "detail.deadline": "deadline {date}",
    "detail.percent": "{n}%",
    "detail.lead": "lead: {name}",
    "detail.name": "name: {name}",
    "detail.title": "{name}",
  },
};

/** Whether the page is shown in English (Vietnamese is the default). */
export function english() {
  return lang() === "en";
}

/** Merges several `{vi, en}` tables into one, later ones winning. */
export function merge(...tables) {
  const out = { vi: {}, en: {} };
  for (const table of tables) {
    Object.assign(out.vi, table.vi);
    Object.assign(out.en, table.en);
  }
  return out;
}

/**
 * An element builder over `ctx.h` that drops empty attributes and empty children and flattens
 * arrays, so pages can write optional parts inline.
 */
export function builder(ctx) {
  return function el(tag, attrs, ...children) {
    const clean = {};
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      clean[k] = v === true ? "" : String(v);
    }
    const kids = children
      .flat(Infinity)
      .filter((c) => c !== null && c !== undefined && c !== false)
      .map((c) => (typeof c === "number" ? String(c) : c));
    return ctx.h(tag, clean, ...kids);
  };
}

/** Appends nodes to the page, leaving out the optional parts that are absent. */
export function put(ctx, ...nodes) {
  ctx.main.append(...nodes.flat(Infinity).filter((n) => n !== null && n !== undefined && n !== false));
}

/** A recorded time as the API gives it (microseconds or RFC 3339), in milliseconds. */
export function millis(value) {
  if (typeof value === "number") return value / 1000;
  if (typeof value === "string") return Date.parse(value);
  return Number.NaN;
}

/** A recorded time as RFC 3339 text, for a `data-time` attribute. */
export function isoTime(value) {
  const ms = millis(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/**
 * Gives each body cell its column's heading as `data-label`, which a phone-width layout shows
 * before the cell once the table is laid out one block per row.
 */
export function labelCells(table) {
  const heads = [...table.querySelectorAll("thead th")].map((th) => th.textContent);
  for (const tr of table.querySelectorAll("tbody tr")) {
    if (tr.children.length !== heads.length) continue;
    [...tr.children].forEach((cell, i) => cell.setAttribute("data-label", heads[i]));
  }
  return table;
}

/** `fn` over every item, at most `n` at a time, the answers in the items' order. */
export async function inBatches(items, n, fn) {
  const out = [];
  for (let i = 0; i < items.length; i += n) {
    out.push(...(await Promise.all(items.slice(i, i + n).map(fn))));
  }
  return out;
}

/** Today in the browser's calendar, as YYYY-MM-DD. */
export function today() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The day before a YYYY-MM-DD date. */
export function dayBefore(date) {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

/** Whether a text is a calendar date the API takes. */
export function isDate(text) {
  return typeof text === "string" && /^\d{4}-\d{2}-\d{2}$/.test(text);
}

/** An element showing a date: `dd/mm/yyyy` text with `data-date`, or a dash without one. */
export function dateNode(ctx, tag, date, attrs = {}) {
  const el = builder(ctx);
  if (!date) return el(tag, attrs, ctx.t("shared.none"));
  return el(tag, { ...attrs, "data-date": date }, ctx.fmtDate(date));
}

/**
 * What a dated page reads from its address: the date (`on`, today when absent or not a date),
 * the known-at, the id as a path segment, and the query both make.
 */
export function asked(ctx) {
  const given = ctx.query.get("on");
  const on = isDate(given) ? given : today();
  const knownAt = ctx.query.get("known_at") || "";
  return { on, knownAt, id: encodeURIComponent(ctx.id), q: query({ on, known_at: knownAt }) };
}

/** `t(key)` with `{name}` placeholders filled in. */
export function fill(ctx, key, values) {
  let text = ctx.t(key);
  for (const [k, v] of Object.entries(values)) text = text.split(`{${k}}`).join(String(v));
  return text;
}

/** The name of a role code, or the code itself when this page does not know it. */
export function roleName(ctx, role) {
  const key = `role1.${role}`;
  const text = ctx.t(key);
  return text && text !== key ? text : role;
}

/** A translated label for a code under a prefix, falling back to the code. */
export function codeName(ctx, prefix, code) {
  const key = `${prefix}.${code}`;
  const text = ctx.t(key);
  return text && text !== key ? text : code;
}

/** Records the answer's log position on `main`, when the answer has one. */
export function notePosition(ctx, body) {
  if (body && typeof body.position === "number") {
    ctx.main.dataset.position = String(body.position);
  }
}

/** A query object without empty values. */
export function query(values) {
  const out = {};
  for (const [k, v] of Object.entries(values)) {
    if (v !== null && v !== undefined && v !== "") out[k] = v;
  }
  return out;
}

// The reads each stored token was refused, kept for the tab (as the token is), so that a page
// asks for them once per token.
const REFUSED_KEY = "reformlog.refused";

function refusedList() {
  try {
    return JSON.parse(sessionStorage.getItem(REFUSED_KEY) || "[]");
  } catch {
    return [];
  }
}

const refused = {
  has: (key) => refusedList().includes(key),
  add: (key) => {
    try {
      sessionStorage.setItem(REFUSED_KEY, JSON.stringify([...refusedList(), key].slice(-20)));
    } catch {
      // Without storage the read is tried again on the next page.
    }
  },
};

/**
 * A read whose refusal only leaves part of a page out (say an audit-only history on a page
 * every reader may see): it sends the stored token, answers `null` on any failure instead of
 * asking for a token, and is not tried at all without a token (no anonymous reader may read
 * what it is used for) or again with a token once refused, since each refusal is an error in
 * the browser's console.
 */
export async function optional(path, values) {
  const token = sessionStorage.getItem("reformlog.token");
  if (!token) return null;
  const kind = path.split("/").slice(0, 3).join("/");
  // The token's tail tells tokens apart without keeping a second copy of it.
  const key = `${kind} ${token.slice(-12)}`;
  if (refused.has(key)) return null;
  const params = new URLSearchParams(query(values || {}));
  const url = params.toString() ? `${path}?${params}` : path;
  try {
    const res = await fetch(url, { headers: { Accept: "application/json", Authorization: `Bearer ${token}` } });
    if (res.status === 401 || res.status === 403) refused.add(key);
    if (!res.ok) return null;
    return await res.json();
  } catch {
    return null;
  }
}

/** A known-at as the API takes it (a log position, an RFC 3339 time or a date), for people. */
export function knownAtText(ctx, value) {
  if (/^\d+$/.test(value)) return fill(ctx, "shared.position", { n: value });
  if (isDate(value)) return ctx.fmtDate(value);
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : ctx.fmtTime(value);
}

/** Whether an error thrown by `api.get` is the API's "not found". */
export function isNotFound(err) {
  return Boolean(err) && err.status === 404;
}

/** The path of an entity's page, for the kinds the shell has pages for. */
export function entityPath(kind, id) {
  switch (kind) {
    case "committee":
      return `/committees/${id}`;
    case "person":
      return `/people/${id}`;
    case "decision":
      return `/decisions/${id}`;
    case "unit":
      return `/units/${id}`;
    case "task":
      return `/tasks/${id}`;
    default:
      return null;
  }
}

/** The API path of one entity of a kind. */
export function entityApi(kind, id) {
  const plural = { unit: "units", person: "people", post: "posts", committee: "committees", decision: "decisions", task: "tasks" }[kind];
  return plural ? `/v1/${plural}/${encodeURIComponent(id)}` : null;
}

/** A form with one date input that moves the page to `?on=` of the chosen date. */
export function dateForm(ctx, id, on, path) {
  const el = builder(ctx);
  const input = el("input", { type: "date", id, name: "on", value: on || "" });
  const form = el(
    "form",
    { class: "on-form", "data-for": id },
    el("label", { for: id }, ctx.t("shared.on")),
    input,
    el("button", { type: "submit" }, ctx.t("shared.show")),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const value = input.value;
    const params = new URLSearchParams(ctx.query);
    if (isDate(value)) params.set("on", value);
    else params.delete("on");
    const qs = params.toString();
    ctx.navigate(qs ? `${path}?${qs}` : path);
  });
  return form;
}

/** The standing of one history entry, as the API names it (`effective`, `corrected_by`...). */
export function standingCode(standing) {
  if (typeof standing === "string") return standing;
  if (standing && typeof standing === "object") return Object.keys(standing)[0] || "";
  return "";
}

/** The first (and only) key of an event's JSON, and its payload. */
export function eventParts(event) {
  if (!event || typeof event !== "object") return ["", {}];
  const kind = Object.keys(event)[0] || "";
  const body = event[kind];
  return [kind, body && typeof body === "object" ? body : {}];
}

/**
 * What one history entry changed, as text: the change's name and the facts that matter to a
 * reader (a deadline, a percentage, a name, a lead unit named through `names` when known).
 */
export function describeEntry(ctx, entry, names = new Map()) {
  let [kind, payload] = eventParts(entry.event);
  const parts = [codeName(ctx, "what", entry.what || kind)];
  if (kind === "corrected" && payload.corrected) {
    const [inner, innerPayload] = eventParts(payload.corrected);
    parts.push(codeName(ctx, "what", inner).toLowerCase());
    kind = inner;
    payload = innerPayload;
  }
  if (payload.deadline) parts.push(fill(ctx, "detail.deadline", { date: ctx.fmtDate(payload.deadline) }));
  if (typeof payload.percent === "number") parts.push(fill(ctx, "detail.percent", { n: payload.percent }));
  if (payload.name && kind !== "corrected") parts.push(fill(ctx, "detail.name", { name: payload.name }));
  if (kind === "task_created" && payload.title) parts.push(fill(ctx, "detail.title", { name: payload.title }));
  const lead = payload.assignment && payload.assignment.lead;
  if (lead && names.has(lead)) parts.push(fill(ctx, "detail.lead", { name: names.get(lead) }));
  if (payload.note) parts.push(`“${payload.note}”`);
  return parts.join(" · ");
}
