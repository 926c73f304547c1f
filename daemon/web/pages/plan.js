// The reform plan page: the plan's tasks on a date grouped by lead unit, each with its status
// and a link to its history, and the task report's numbers for the plan on that date.

import { lang } from "../i18n.js";
import {
  strings as shared,
  merge,
  builder,
  dateNode,
  dateForm,
  fill,
  codeName,
  notePosition,
  query,
  put,
  labelCells,
  asked,
} from "./shared.js";

export const strings = merge(shared, {
  vi: {
    "plan.report": "Số liệu thực hiện vào ngày {date}",
    "plan.count.completed_on_time": "Hoàn thành đúng hạn",
    "plan.count.completed_late": "Hoàn thành muộn",
    "plan.count.overdue": "Quá hạn",
    "plan.count.cancelled": "Đã hủy",
    "plan.count.open": "Đang thực hiện (chưa đến hạn)",
    "plan.count.total": "Tổng số nhiệm vụ",
    "plan.rate": "Tỷ lệ hoàn thành",
    "plan.tasks": "Nhiệm vụ theo đơn vị chủ trì",
    "plan.no_tasks": "Kế hoạch chưa có nhiệm vụ nào vào ngày này.",
    "plan.task": "Nhiệm vụ",
    "plan.deadline": "Thời hạn",
    "plan.standing": "Tình trạng",
    "plan.completed_on": "Ngày hoàn thành",
    "plan.history": "Lịch sử",
    "plan.history_of": "Lịch sử của nhiệm vụ",
    "plan.no_lead": "Chưa giao đơn vị chủ trì",
    "plan.days_late": "muộn {n} ngày",
    "plan.signed": "Ký ngày {date}",
    "plan.document": "Xem văn bản và những gì nó thay đổi",
  },
  en: {
    "plan.report": "Report on {date}",
    "plan.count.completed_on_time": "Completed on time",
    "plan.count.completed_late": "Completed late",
    "plan.count.overdue": "Overdue",
    "plan.count.cancelled": "Cancelled",
    "plan.count.open": "Open (not yet due)",
    "plan.count.total": "Tasks in all",
    "plan.rate": "Completion rate",
    "plan.tasks": "Tasks by lead unit",
    "plan.no_tasks": "The plan has no tasks on this date.",
    "plan.task": "Task",
    "plan.deadline": "Deadline",
    "plan.standing": "Status",
    "plan.completed_on": "Completed on",
    "plan.history": "History",
    "plan.history_of": "History of the task",
    "plan.no_lead": "No lead unit yet",
    "plan.days_late": "{n} days late",
    "plan.signed": "Signed on {date}",
    "plan.document": "The document and what it changed",
  },
});

const COUNTS = ["completed_on_time", "completed_late", "overdue", "cancelled", "open", "total"];

export async function render(ctx) {
  const el = builder(ctx);
  const { on, knownAt, id, q } = asked(ctx);

  const [plan, reportBody, tasksBody] = await Promise.all([
    ctx.api.get(`/v1/decisions/${id}`, q).then((body) => body.answer),
    ctx.api.get("/v1/reports/tasks", query({ plan: ctx.id, on, known_at: knownAt })),
    ctx.api.get(`/v1/decisions/${id}/tasks`, q),
  ]);
  notePosition(ctx, reportBody);
  const det = (plan.details && plan.details.decision) || {};
  const report = reportBody.answer;

  put(
    ctx,
    el("h1", {}, det.number || plan.name || ctx.id),
    plan.name ? el("p", { class: "subtitle" }, plan.name) : null,
    det.signed_on
      ? el("p", { class: "signed", "data-date": det.signed_on }, fill(ctx, "plan.signed", { date: ctx.fmtDate(det.signed_on) }), " · ", ctx.link(`/decisions/${plan.id}`, ctx.t("plan.document")))
      : null,
    dateForm(ctx, "on-input", on, `/plans/${ctx.id}`),
    el("p", { id: "on", "data-date": on }, `${ctx.t("shared.on")}: ${ctx.fmtDate(on)}`),
    reportSection(ctx, report, on),
    tasksSection(ctx, tasksBody.answer || [], report, on),
  );
}

function reportSection(ctx, report, on) {
  const el = builder(ctx);
  const counts = report.counts || {};
  const rate = typeof report.completion_rate === "number" ? report.completion_rate : null;
  const fmt = new Intl.NumberFormat(lang() === "en" ? "en" : "vi", { maximumFractionDigits: 1 });
  return el(
    "section",
    { class: "report", "aria-labelledby": "report-title" },
    el("h2", { id: "report-title" }, fill(ctx, "plan.report", { date: ctx.fmtDate(on) })),
    el(
      "dl",
      { id: "report", class: "counts" },
      COUNTS.map((key) =>
        el(
          "div",
          { class: `report-count ${key}` },
          el("dt", {}, ctx.t(`plan.count.${key}`)),
          el("dd", { "data-count": key }, String(counts[key] ?? 0)),
        ),
      ),
      rate === null
        ? null
        : el("div", { class: "report-count rate" }, el("dt", {}, ctx.t("plan.rate")), el("dd", { "data-rate": String(rate) }, `${fmt.format(rate)} %`)),
    ),
  );
}

function tasksSection(ctx, tasks, report, on) {
  const el = builder(ctx);
  const standing = new Map((report.tasks || []).map((r) => [r.task, r]));
  const collator = new Intl.Collator(lang() === "en" ? "en" : "vi");
  const groups = new Map();
  for (const task of tasks) {
    const key = task.lead ? task.lead.id : "";
    if (!groups.has(key)) groups.set(key, { lead: task.lead, tasks: [] });
    groups.get(key).tasks.push(task);
  }
  const ordered = [...groups.entries()].sort(([a, x], [b, y]) => {
    if (!a) return 1;
    if (!b) return -1;
    return collator.compare(x.lead.name || "", y.lead.name || "");
  });
  for (const [, g] of ordered) g.tasks.sort((x, y) => collator.compare(x.title || "", y.title || ""));
  const heads = ["plan.task", "plan.deadline", "plan.standing", "plan.completed_on", "plan.history"];
  return el(
    "section",
    { class: "tasks", "aria-labelledby": "plan-tasks-title" },
    el("h2", { id: "plan-tasks-title" }, ctx.t("plan.tasks")),
    tasks.length === 0 ? el("p", { class: "empty" }, ctx.t("plan.no_tasks")) : null,
    el(
      "div",
      { class: "table-wrap" },
      labelCells(el(
        "table",
        { id: "tasks", hidden: tasks.length === 0 },
        el("caption", { class: "vh" }, `${ctx.t("plan.tasks")} (${ctx.fmtDate(on)})`),
        el("thead", {}, el("tr", {}, heads.map((k) => el("th", { scope: "col" }, ctx.t(k))))),
        ordered.map(([key, g]) =>
          el(
            "tbody",
            { "data-unit": key },
            el(
              "tr",
              { class: "group" },
              el("th", { scope: "rowgroup", colspan: heads.length }, g.lead ? ctx.link(`/units/${g.lead.id}?on=${on}`, g.lead.name) : ctx.t("plan.no_lead")),
            ),
            g.tasks.map((task) => row(ctx, task, standing.get(task.task))),
          ),
        ),
      )),
    ),
  );
}

function row(ctx, task, report) {
  const el = builder(ctx);
  const code = report ? report.standing : task.overdue ? "overdue" : task.status;
  const classes = ["task", `standing-${code}`];
  if (task.overdue || code === "overdue") classes.push("overdue");
  return el(
    "tr",
    { class: classes.join(" "), "data-task": task.task, "data-status": task.status, "data-standing": code },
    el("th", { scope: "row" }, ctx.link(`/tasks/${task.task}`, task.title)),
    dateNode(ctx, "td", task.deadline, { class: "deadline" }),
    el(
      "td",
      { class: "standing" },
      codeName(ctx, "standing", code),
      task.percent !== null && task.percent !== undefined ? ` (${task.percent}%)` : null,
      report && report.days_late ? el("span", { class: "late" }, ` · ${fill(ctx, "plan.days_late", { n: report.days_late })}`) : null,
    ),
    dateNode(ctx, "td", report ? report.completed_on : null, { class: "completed-on" }),
    el("td", { class: "history" }, el("a", { href: `/tasks/${task.task}`, class: "history-link", "aria-label": `${ctx.t("plan.history_of")}: ${task.title}` }, ctx.t("plan.history"))),
  );
}
