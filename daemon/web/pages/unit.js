// The unit page: its names over time, its parent, predecessors and successors, the committee
// seats it holds on a date, and its tasks on that date with the overdue ones marked.

import {
  strings as shared,
  merge,
  builder,
  dateNode,
  dateForm,
  fill,
  roleName,
  codeName,
  notePosition,
  query,
  put,
  inBatches,
  labelCells,
  asked,
} from "./shared.js";

export const strings = merge(shared, {
  vi: {
    "unit.names": "Tên qua các thời kỳ",
    "unit.from": "từ {date}",
    "unit.parent": "Trực thuộc",
    "unit.no_parent": "Không trực thuộc đơn vị nào.",
    "unit.sub_units": "Đơn vị trực thuộc",
    "unit.predecessors": "Đơn vị tiền thân (đã sáp nhập vào)",
    "unit.successors": "Đơn vị kế tục",
    "unit.merged_on": "sáp nhập ngày {date}",
    "unit.later": "Về sau: ngừng hoạt động ngày {date}",
    "unit.later_merged": "Về sau: sáp nhập vào {name} ngày {date}",
    "unit.none": "Không có.",
    "unit.seats": "Vị trí trong các ban, tổ",
    "unit.seat_for": "thay mặt {name}",
    "unit.seats_partial": "Chỉ xét {n} ban, tổ đầu tiên trong danh sách.",
    "unit.seat_ex_officio": "theo chức vụ {title}",
    "unit.held_by": "Người giữ",
    "unit.tasks": "Nhiệm vụ vào ngày {date}",
    "unit.no_tasks": "Không có nhiệm vụ nào vào ngày này.",
    "unit.task": "Nhiệm vụ",
    "unit.role_in_task": "Vai trò",
    "unit.leads": "Chủ trì",
    "unit.cooperates": "Phối hợp",
    "unit.plan": "Kế hoạch",
    "unit.deadline": "Thời hạn",
    "unit.status": "Tình trạng",
    "unit.status_line": "Tình trạng",
    "unit.established": "Thành lập ngày {date}",
    "ustatus.active": "Đang hoạt động",
    "ustatus.merged": "Đã sáp nhập",
    "ustatus.dissolved": "Đã giải thể",
    "ustatus.not_yet_established": "Chưa thành lập",
  },
  en: {
    "unit.names": "Names over time",
    "unit.from": "from {date}",
    "unit.parent": "Parent",
    "unit.no_parent": "Under no other unit.",
    "unit.sub_units": "Units under it",
    "unit.predecessors": "Predecessors (merged into it)",
    "unit.successors": "Successors",
    "unit.merged_on": "merged on {date}",
    "unit.later": "Later: ended on {date}",
    "unit.later_merged": "Later: merged into {name} on {date}",
    "unit.none": "None.",
    "unit.seats": "Seats on committees",
    "unit.seat_for": "on behalf of {name}",
    "unit.seats_partial": "Only the first {n} committees of the list were looked at.",
    "unit.seat_ex_officio": "ex officio as {title}",
    "unit.held_by": "Held by",
    "unit.tasks": "Tasks on {date}",
    "unit.no_tasks": "No tasks on this date.",
    "unit.task": "Task",
    "unit.role_in_task": "Role",
    "unit.leads": "Leads",
    "unit.cooperates": "Cooperates",
    "unit.plan": "Plan",
    "unit.deadline": "Deadline",
    "unit.status": "Status",
    "unit.status_line": "Status",
    "unit.established": "Established on {date}",
    "ustatus.active": "Active",
    "ustatus.merged": "Merged",
    "ustatus.dissolved": "Dissolved",
    "ustatus.not_yet_established": "Not yet established",
  },
});

// Enough pages of the committee list for a store of ordinary size.
const MAX_LIST_PAGES = 20;
const MAX_COMMITTEES = 200;
const PARALLEL = 6;

export async function render(ctx) {
  const el = builder(ctx);
  const { on, knownAt, id, q } = asked(ctx);

  const [unit, lineageBody, tasksBody] = await Promise.all([
    ctx.api.get(`/v1/units/${id}`, q).then((body) => body.answer),
    ctx.api.get(`/v1/units/${id}/lineage`, q),
    ctx.api.get(`/v1/units/${id}/tasks`, q),
  ]);
  notePosition(ctx, tasksBody);
  const lineage = lineageBody.answer;
  const names = namesOverTime(unit);
  const seats = await seatsHeld(ctx, unit.id, on, knownAt);

  put(
    ctx,
    el("h1", {}, unit.name || lineage.name || ctx.id),
    el(
      "p",
      { class: "subtitle" },
      `${ctx.t("unit.status_line")}: `,
      el("span", { "data-status": lineage.status }, codeName(ctx, "ustatus", lineage.status)),
      " · ",
      el("span", { "data-date": lineage.established_on }, fill(ctx, "unit.established", { date: ctx.fmtDate(lineage.established_on) })),
    ),
    dateForm(ctx, "on-input", on, `/units/${ctx.id}`),
    el("p", { id: "on", "data-date": on }, `${ctx.t("shared.on")}: ${ctx.fmtDate(on)}`),
    namesSection(ctx, names, on),
    lineageSection(ctx, lineage),
    seatsSection(ctx, seats),
    tasksSection(ctx, unit.id, tasksBody.answer || [], on),
  );
}

/** The unit's names over time, each from the date it took effect, as the unit's details give them. */
function namesOverTime(unit) {
  const given = unit.details && unit.details.unit && unit.details.unit.names;
  return (Array.isArray(given) ? given : []).map((n) => ({ name: n.name, from: n.from }));
}

function namesSection(ctx, names, on) {
  // The name in use on the date shown: the last one given by then.
  const current = names.reduce((at, n, i) => (n.from <= on ? i : at), -1);
  const el = builder(ctx);
  return el(
    "section",
    { class: "names", "aria-labelledby": "names-title" },
    el("h2", { id: "names-title" }, ctx.t("unit.names")),
    el(
      "ol",
      { id: "names" },
      names.map((n, i) =>
        el("li", { "data-from": n.from, class: i === current ? "current" : null, "aria-current": i === current ? "true" : null }, el("span", { class: "name" }, n.name), " ", el("span", { class: "from", "data-date": n.from }, fill(ctx, "unit.from", { date: ctx.fmtDate(n.from) }))),
      ),
    ),
  );
}

function unitLink(ctx, ref) {
  return ctx.link(`/units/${ref.id}`, ref.name || ref.id);
}

function lineageSection(ctx, lineage) {
  const el = builder(ctx);
  const list = (id, items) => [
    el("ul", { id, hidden: items.length === 0 }, items),
    items.length === 0 ? el("p", { class: "none" }, ctx.t("unit.none")) : null,
  ];
  const preds = (lineage.predecessors || []).map((p) =>
    el("li", { "data-unit": p.unit.id, "data-date": p.on }, unitLink(ctx, p.unit), ` (${fill(ctx, "unit.merged_on", { date: ctx.fmtDate(p.on) })})`),
  );
  const succs = [];
  if (lineage.successor) {
    const s = lineage.successor;
    succs.push(el("li", { "data-unit": s.unit.id, "data-date": s.on }, unitLink(ctx, s.unit), ` (${fill(ctx, "unit.merged_on", { date: ctx.fmtDate(s.on) })})`));
  }
  const later = lineage.later;
  return el(
    "section",
    { class: "lineage", "aria-labelledby": "lineage-title" },
    el("h2", { id: "lineage-title" }, ctx.t("unit.parent")),
    el("p", { id: "parent" }, lineage.parent ? unitLink(ctx, lineage.parent) : ctx.t("unit.no_parent")),
    (lineage.sub_units || []).length > 0
      ? [
          el("h3", {}, ctx.t("unit.sub_units")),
          el("ul", { id: "sub-units" }, lineage.sub_units.map((u) => el("li", { "data-unit": u.id }, unitLink(ctx, u)))),
        ]
      : null,
    el("h3", {}, ctx.t("unit.predecessors")),
    list("predecessors", preds),
    el("h3", {}, ctx.t("unit.successors")),
    list("successors", succs),
    later
      ? el(
          "p",
          { id: "later", "data-date": later.on },
          later.merged_into
            ? fill(ctx, "unit.later_merged", { name: later.merged_into.name, date: ctx.fmtDate(later.on) })
            : fill(ctx, "unit.later", { date: ctx.fmtDate(later.on) }),
        )
      : null,
  );
}

/** Every seat, on any committee or sub-body on the date, that represents this unit. */
async function seatsHeld(ctx, unitId, on, knownAt) {
  const tops = [];
  let cursor = "";
  for (let page = 0; page < MAX_LIST_PAGES; page += 1) {
    const body = (await ctx.api.get("/v1/committees", query({ on, known_at: knownAt, limit: 1000, cursor }))).answer || {};
    for (const c of body.items || []) {
      const det = c.details && c.details.committee;
      if (c.active && det && !det.parent) tops.push(c.id);
    }
    if (!body.next_cursor) break;
    cursor = body.next_cursor;
  }
  // The API has no index from a unit to the seats that represent it, so each committee's
  // composition is read, a few at a time, up to a bound that keeps a large store's page quick.
  const asked = tops.slice(0, MAX_COMMITTEES);
  const compositions = await inBatches(asked, PARALLEL, (id) =>
    ctx.api.get(`/v1/committees/${id}/composition`, query({ on, known_at: knownAt })),
  );
  const found = [];
  found.partial = tops.length > asked.length;
  const walk = (c) => {
    for (const seat of c.seats || []) {
      const behalf = seat.on_behalf_of && seat.on_behalf_of.id === unitId;
      const post = seat.ex_officio && seat.ex_officio.unit && seat.ex_officio.unit.id === unitId;
      if (behalf || post) found.push({ committee: c, seat });
    }
    for (const sub of c.sub_bodies || []) walk(sub);
  };
  for (const body of compositions) walk(body.answer);
  return found;
}

function seatsSection(ctx, seats) {
  const el = builder(ctx);
  return el(
    "section",
    { class: "seats", "aria-labelledby": "seats-title" },
    el("h2", { id: "seats-title" }, ctx.t("unit.seats")),
    seats.length === 0 ? el("p", { class: "none" }, ctx.t("unit.none")) : null,
    seats.partial ? el("p", { class: "note", id: "seats-partial" }, fill(ctx, "unit.seats_partial", { n: MAX_COMMITTEES })) : null,
    el(
      "ul",
      { id: "seats", hidden: seats.length === 0 },
      seats.map(({ committee, seat }) =>
            el(
              "li",
              { "data-seat": seat.seat, "data-committee": committee.committee, "data-role": seat.role },
              ctx.link(`/committees/${committee.committee}`, committee.name),
              " — ",
              el("span", { class: "role" }, roleName(ctx, seat.role)),
              seat.on_behalf_of ? el("span", { class: "behalf" }, ` (${fill(ctx, "unit.seat_for", { name: seat.on_behalf_of.name })})`) : null,
              seat.ex_officio ? el("span", { class: "ex-officio" }, ` (${fill(ctx, "unit.seat_ex_officio", { title: seat.ex_officio.title })})`) : null,
              (seat.holders || []).length
                ? [
                    ": ",
                    seat.holders.map((hd, i) => [i ? ", " : "", ctx.link(`/people/${hd.person.id}`, hd.person.name)]),
                  ]
                : el("span", { class: "vacant" }, ` ${ctx.t("shared.vacant")}`),
              seat.decision ? [" · ", ctx.link(`/decisions/${seat.decision.id}`, seat.decision.number)] : null,
            ),
          ),
    ),
  );
}

function tasksSection(ctx, unitId, tasks, on) {
  const el = builder(ctx);
  const caption = fill(ctx, "unit.tasks", { date: ctx.fmtDate(on) });
  return el(
    "section",
    { class: "tasks", "aria-labelledby": "tasks-title" },
    el("h2", { id: "tasks-title" }, caption),
    tasks.length === 0 ? el("p", { class: "empty" }, ctx.t("unit.no_tasks")) : null,
    el(
      "div",
      { class: "table-wrap" },
      labelCells(el(
        "table",
        { id: "tasks", hidden: tasks.length === 0 },
        el("caption", { class: "vh" }, caption),
        el(
          "thead",
          {},
          el(
            "tr",
            {},
            ["unit.task", "unit.role_in_task", "unit.plan", "unit.deadline", "unit.status"].map((k) => el("th", { scope: "col" }, ctx.t(k))),
          ),
        ),
        el(
          "tbody",
          {},
          tasks.map((task) => {
            const leads = task.lead && task.lead.id === unitId;
            return el(
              "tr",
              { class: task.overdue ? "task overdue" : "task", "data-task": task.task, "data-status": task.status },
              el("th", { scope: "row" }, ctx.link(`/tasks/${task.task}`, task.title)),
              el("td", { class: "task-role" }, ctx.t(leads ? "unit.leads" : "unit.cooperates")),
              el("td", { class: "plan" }, task.plan ? ctx.link(`/plans/${task.plan.id}?on=${on}`, task.plan.number) : ctx.t("shared.none")),
              dateNode(ctx, "td", task.deadline, { class: "deadline" }),
              el(
                "td",
                { class: "status" },
                codeName(ctx, "status", task.status),
                task.percent !== null && task.percent !== undefined ? ` (${task.percent}%)` : null,
                task.overdue ? el("strong", { class: "overdue-flag" }, ` ${ctx.t("shared.overdue")}`) : null,
              ),
            );
          }),
        ),
      )),
    ),
  );
}
