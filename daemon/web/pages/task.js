// The task page: one task as it stands (plan, units, person, deadline, progress) and every
// recorded change to it, with its date, the decision it cites and what it changed.

import {
  strings as shared,
  merge,
  builder,
  dateNode,
  dateForm,
  codeName,
  notePosition,
  query,
  standingCode,
  describeEntry,
  put,
  isoTime,
  asked,
} from "./shared.js";

export const strings = merge(shared, {
  vi: {
    "task.product": "Sản phẩm",
    "task.plan": "Kế hoạch",
    "task.lead": "Đơn vị chủ trì",
    "task.cooperating": "Đơn vị phối hợp",
    "task.responsible": "Người phụ trách",
    "task.status": "Tình trạng",
    "task.deadline": "Thời hạn",
    "task.percent": "Tiến độ",
    "task.created_on": "Ngày giao",
    "task.history": "Lịch sử nhiệm vụ",
    "task.no_history": "Chưa có thay đổi nào được ghi nhận.",
    "task.decision": "Văn bản",
    "task.no_decision": "không dẫn văn bản",
    "task.recorded": "ghi nhận {at}",
    "task.by": "bởi {actor}",
    "task.reason": "Lý do",
    "task.warnings": "Lưu ý",
    "task.last_report": "Báo cáo gần nhất",
  },
  en: {
    "task.product": "Product",
    "task.plan": "Plan",
    "task.lead": "Lead unit",
    "task.cooperating": "Cooperating units",
    "task.responsible": "Responsible person",
    "task.status": "Status",
    "task.deadline": "Deadline",
    "task.percent": "Progress",
    "task.created_on": "Assigned on",
    "task.history": "History of the task",
    "task.no_history": "No change recorded yet.",
    "task.decision": "Document",
    "task.no_decision": "cites no document",
    "task.recorded": "recorded {at}",
    "task.by": "by {actor}",
    "task.reason": "Reason",
    "task.warnings": "Warnings",
    "task.last_report": "Last report",
  },
});

export async function render(ctx) {
  const el = builder(ctx);
  const { on, knownAt, id } = asked(ctx);
  const [task, historyBody] = await Promise.all([
    ctx.api.get(`/v1/tasks/${id}`, query({ on, known_at: knownAt })).then((body) => body.answer),
    ctx.api.get(`/v1/history/task/${id}`, query({ known_at: knownAt })),
  ]);
  notePosition(ctx, historyBody);
  const det = (task.details && task.details.task) || {};
  const names = new Map();
  for (const u of [det.lead, ...(det.cooperating || [])]) if (u) names.set(u.id, u.name);

  put(
    ctx,
    el("h1", {}, task.name || ctx.id),
    dateForm(ctx, "on-input", on, `/tasks/${ctx.id}`),
    el("p", { id: "on", "data-date": on }, `${ctx.t("shared.on")}: ${ctx.fmtDate(on)}`),
    facts(ctx, task, det, on),
    history(ctx, historyBody.answer || [], names),
  );
}

function facts(ctx, task, det, on) {
  const el = builder(ctx);
  const row = (field, label, ...value) => [el("dt", {}, ctx.t(label)), el("dd", { "data-field": field }, ...value)];
  const none = ctx.t("shared.none");
  const unit = (u) => ctx.link(`/units/${u.id}?on=${on}`, u.name);
  return el(
    "dl",
    { id: "task", class: "record" },
    row("product", "task.product", det.product || none),
    row("plan", "task.plan", det.plan ? ctx.link(`/plans/${det.plan.id}?on=${on}`, det.plan.number) : none),
    row("lead", "task.lead", det.lead ? unit(det.lead) : none),
    row("cooperating", "task.cooperating", (det.cooperating || []).length ? det.cooperating.map((u, i) => [i ? ", " : "", unit(u)]) : none),
    row("responsible", "task.responsible", det.responsible ? ctx.link(`/people/${det.responsible.id}`, det.responsible.name) : none),
    [el("dt", {}, ctx.t("task.created_on")), dateNode(ctx, "dd", task.since, { "data-field": "created_on" })],
    [el("dt", {}, ctx.t("task.deadline")), dateNode(ctx, "dd", det.deadline, { "data-field": "deadline" })],
    row(
      "status",
      "task.status",
      det.status ? codeName(ctx, "status", det.status) : none,
      det.overdue ? el("strong", { class: "overdue-flag" }, ` ${ctx.t("shared.overdue")}`) : null,
    ),
    row("percent", "task.percent", det.percent === null || det.percent === undefined ? none : `${det.percent}%`),
    (det.warnings || []).length
      ? row("warnings", "task.warnings", el("ul", { class: "warnings" }, det.warnings.map((w) => el("li", {}, warningText(w)))))
      : null,
  );
}

/** A warning as the API gives it: a code, or an object naming its kind. */
function warningText(w) {
  if (typeof w === "string") return w;
  if (w && typeof w === "object") {
    const [kind] = Object.keys(w);
    return kind || JSON.stringify(w);
  }
  return String(w);
}

function history(ctx, entries, names) {
  const el = builder(ctx);
  return el(
    "section",
    { class: "history", "aria-labelledby": "history-title" },
    el("h2", { id: "history-title" }, ctx.t("task.history")),
    entries.length === 0 ? el("p", { class: "empty" }, ctx.t("task.no_history")) : null,
    el(
      "ol",
      { id: "history" },
      entries.map((e) => {
        const standing = standingCode(e.standing);
        return el(
          "li",
          {
            class: standing === "effective" ? "change" : `change ${standing.replace(/_/g, "-")}`,
            "data-what": e.what,
            "data-position": e.position,
            "data-standing": standing,
          },
          dateNode(ctx, "span", e.valid_from, { class: "when" }),
          " — ",
          el("span", { class: "what" }, describeEntry(ctx, e, names)),
          " — ",
          e.decision
            ? el("a", { href: `/decisions/${e.decision.id}`, class: "decision" }, e.decision.number)
            : el("span", { class: "decision none" }, ctx.t("task.no_decision")),
          standing !== "effective" ? el("span", { class: "standing" }, ` (${codeName(ctx, "standing", standing)})`) : null,
          el(
            "div",
            { class: "meta" },
            e.recorded_at ? el("span", { class: "recorded", "data-time": isoTime(e.recorded_at) }, ctx.t("task.recorded").replace("{at}", ctx.fmtTime(e.recorded_at))) : null,
            e.actor ? el("span", { class: "actor" }, ` · ${ctx.t("task.by").replace("{actor}", e.actor)}`) : null,
            e.reason ? el("span", { class: "reason" }, ` · ${ctx.t("task.reason")}: ${e.reason}`) : null,
          ),
        );
      }),
    ),
  );
}
