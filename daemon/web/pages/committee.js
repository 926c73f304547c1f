// A committee on a date: its life on a time axis with the decisions that changed it, the
// composition that day grouped by role in the decision's seat order, sub-bodies below; as
// recorded at an earlier time with what differs from today's record; live on new commits.

export const strings = {
  vi: {
    "c.on": "Thành phần ngày",
    "c.pick": "Chọn ngày",
    "c.timeline": "Dòng thời gian",
    "c.timeline.hint": "Nhấn vào trục hoặc một mốc quyết định để xem thành phần ngày đó. Phím mũi tên: từng ngày; Page Up/Page Down: quyết định trước/sau; Home/End: đầu/cuối.",
    "c.axis": "Ngày đang xem",
    "c.mark": "{number}, ngày {date}",
    "c.no_number": "Quyết định không số",
    "c.known_at": "Theo ghi nhận tại",
    "c.known_at.hint": "Vị trí trong nhật ký, ngày (dd/mm/yyyy hoặc yyyy-mm-dd) hoặc thời điểm RFC 3339",
    "c.known_at.apply": "Xem theo ghi nhận này",
    "c.known_at.clear": "Về ghi nhận hiện nay",
    "c.recorded": "Thành phần như hệ thống đã ghi nhận tại {when}.",
    "c.recorded.same": "Không khác so với ghi nhận hiện nay.",
    "c.recorded.differs": "Khác so với ghi nhận hiện nay ({n}):",
    "c.differences": "Các điểm khác",
    "c.diff.absent_then": "{role} — {who}: chưa được ghi nhận lúc đó, có trong ghi nhận hiện nay.",
    "c.diff.absent_now": "{role} — {who}: có lúc đó, không còn trong ghi nhận hiện nay.",
    "c.diff.holder": "{role}: người giữ ghế lúc đó là {then}, hiện nay ghi là {now}.",
    "c.diff.since": "{role} — {who}: từ ngày {then} lúc đó, hiện nay ghi {now}.",
    "c.diff.decision": "{role} — {who}: theo {then} lúc đó, hiện nay ghi {now}.",
    "c.only_now": "chỉ có trong ghi nhận hiện nay",
    "c.inactive": "Ban chưa thành lập hoặc đã giải thể vào ngày này.",
    "c.no_seats": "Không có ghế nào vào ngày này.",
    "c.col.holder": "Người giữ ghế",
    "c.col.post": "Theo chức vụ",
    "c.col.unit": "Đại diện đơn vị",
    "c.col.since": "Từ ngày",
    "c.col.decision": "Quyết định",
    "c.vacant": "(để trống)",
    "c.sub_bodies": "Tổ chức trực thuộc",
    "c.unit_of": "Thuộc {unit}",
    "c.live": "Tự cập nhật khi có thay đổi mới.",
    "c.printed": "In ngày {date}. Thành phần ngày {on}.",
    "c.count": "{n} ghế",
    "roles.head": "Trưởng ban",
    "roles.standing_deputy_head": "Phó Trưởng ban thường trực",
    "roles.deputy_head": "Phó Trưởng ban",
    "roles.member": "Thành viên",
    "roles.group_leader": "Tổ trưởng",
    "roles.deputy_group_leader": "Tổ phó",
    "roles.group_member": "Tổ viên",
    "roles.secretary": "Thư ký",
  },
  en: {
    "c.on": "Composition on",
    "c.pick": "Pick a date",
    "c.timeline": "Timeline",
    "c.timeline.hint": "Click the axis or a decision's mark to see the composition that day. Arrow keys: one day; Page Up/Page Down: previous/next decision; Home/End: first/last.",
    "c.axis": "Date shown",
    "c.mark": "{number}, {date}",
    "c.no_number": "Decision without a number",
    "c.known_at": "As recorded at",
    "c.known_at.hint": "A log position, a date (dd/mm/yyyy or yyyy-mm-dd) or an RFC 3339 time",
    "c.known_at.apply": "Show as recorded then",
    "c.known_at.clear": "Back to today's record",
    "c.recorded": "The composition as the system had recorded it at {when}.",
    "c.recorded.same": "No difference from today's record.",
    "c.recorded.differs": "Differs from today's record ({n}):",
    "c.differences": "Differences",
    "c.diff.absent_then": "{role} — {who}: not yet recorded then, in today's record.",
    "c.diff.absent_now": "{role} — {who}: recorded then, no longer in today's record.",
    "c.diff.holder": "{role}: held by {then} as recorded then, by {now} in today's record.",
    "c.diff.since": "{role} — {who}: since {then} as recorded then, since {now} today.",
    "c.diff.decision": "{role} — {who}: by {then} as recorded then, by {now} today.",
    "c.only_now": "only in today's record",
    "c.inactive": "The committee did not exist on this date.",
    "c.no_seats": "No seats on this date.",
    "c.col.holder": "Holder",
    "c.col.post": "Ex officio as",
    "c.col.unit": "On behalf of",
    "c.col.since": "Since",
    "c.col.decision": "Decision",
    "c.vacant": "(vacant)",
    "c.sub_bodies": "Sub-bodies",
    "c.unit_of": "Of {unit}",
    "c.live": "Updates itself when a change is recorded.",
    "c.printed": "Printed {date}. Composition on {on}.",
    "c.count": "{n} seats",
    "roles.head": "Head",
    "roles.standing_deputy_head": "Standing deputy head",
    "roles.deputy_head": "Deputy heads",
    "roles.member": "Members",
    "roles.group_leader": "Group leader",
    "roles.deputy_group_leader": "Deputy group leaders",
    "roles.group_member": "Group members",
    "roles.secretary": "Secretary",
  },
};

const DAY = 86400000;

const pad = (n) => String(n).padStart(2, "0");

function todayIso() {
  const d = new Date();
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

const toDays = (iso) => Math.round(Date.parse(`${iso}T00:00:00Z`) / DAY);

function fromDays(days) {
  const d = new Date(days * DAY);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

// "14/01/2022" as typed by an office becomes the API's 2022-01-14; anything else goes as is.
function knownAtParam(text) {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text.trim());
  return m ? `${m[3]}-${pad(m[2])}-${pad(m[1])}` : text.trim();
}

function validDate(iso) {
  return /^\d{4}-\d{2}-\d{2}$/.test(iso || "") && !Number.isNaN(Date.parse(iso));
}

// Every seat of a composition and its sub-bodies, by seat id, with the body it belongs to.
function seatsById(composition) {
  const out = new Map();
  const walk = (c) => {
    for (const seat of c.seats || []) out.set(seat.seat, { seat, body: c });
    for (const sub of c.sub_bodies || []) walk(sub);
  };
  if (composition) walk(composition);
  return out;
}

function holderOf(seat) {
  return (seat.holders || [])[0] || null;
}

function sinceOf(seat) {
  return holderOf(seat)?.since || seat.since;
}

function decisionOf(seat) {
  return holderOf(seat)?.decision || seat.decision || null;
}

function describe(ctx, seat) {
  const names = (seat.holders || []).map((x) => x.person.name).join(", ");
  return names || seat.label || seat.on_behalf_of?.name || ctx.t("c.vacant");
}

// Seat ids that differ between `then` and `now`, and a sentence for each difference.
function differences(ctx, then, now) {
  const { t, fmtDate } = ctx;
  const before = seatsById(then);
  const after = seatsById(now);
  const rows = new Set();
  const onlyNow = [];
  const lines = [];
  const roleName = (seat) => t(`role1.${seat.role}`);
  const number = (d) => (d ? d.number || t("c.no_number") : t("none"));
  for (const [id, { seat }] of before) {
    const other = after.get(id)?.seat;
    if (!other) {
      rows.add(id);
      lines.push(t("c.diff.absent_now", { role: roleName(seat), who: describe(ctx, seat) }));
      continue;
    }
    const a = (seat.holders || []).map((x) => x.person.id).join(",");
    const b = (other.holders || []).map((x) => x.person.id).join(",");
    if (a !== b) {
      rows.add(id);
      lines.push(t("c.diff.holder", { role: roleName(seat), then: describe(ctx, seat), now: describe(ctx, other) }));
    } else if (sinceOf(seat) !== sinceOf(other)) {
      rows.add(id);
      lines.push(t("c.diff.since", { role: roleName(seat), who: describe(ctx, seat), then: fmtDate(sinceOf(seat)), now: fmtDate(sinceOf(other)) }));
    } else if ((decisionOf(seat)?.id || "") !== (decisionOf(other)?.id || "")) {
      rows.add(id);
      lines.push(t("c.diff.decision", { role: roleName(seat), who: describe(ctx, seat), then: number(decisionOf(seat)), now: number(decisionOf(other)) }));
    }
  }
  for (const [id, { seat, body }] of after) {
    if (!before.has(id)) {
      rows.add(id);
      onlyNow.push({ seat, body: body.committee });
      lines.push(t("c.diff.absent_then", { role: roleName(seat), who: describe(ctx, seat) }));
    }
  }
  return { rows, onlyNow, lines };
}

// Seats grouped by role, each group where its first seat is in the decision's order.
function groups(seats) {
  const out = [];
  const byRole = new Map();
  for (const seat of seats) {
    let group = byRole.get(seat.role);
    if (!group) {
      group = { role: seat.role, seats: [] };
      byRole.set(seat.role, group);
      out.push(group);
    }
    group.seats.push(seat);
  }
  return out;
}

function seatRow(ctx, seat, marks) {
  const { h, t, link, fmtDate } = ctx;
  const holders = seat.holders || [];
  const since = sinceOf(seat);
  const decision = decisionOf(seat);
  const classes = ["seat"];
  if (marks.rows.has(seat.seat)) classes.push("differs");
  if (marks.onlyNowIds.has(seat.seat)) classes.push("only-now");
  const holderCell = h(
    "td",
    { class: "holder", "data-label": t("c.col.holder") },
    holders.length
      ? holders.map((x, i) => [
          i ? ", " : "",
          link(`/people/${encodeURIComponent(x.person.id)}`, x.person.name),
          seat.ex_officio ? null : (x.positions || []).map((p) => h("span", { class: "position" }, p.title)),
        ])
      : h("span", { class: "muted" }, t("c.vacant")),
    marks.onlyNowIds.has(seat.seat) ? h("span", { class: "badge" }, t("c.only_now")) : null,
  );
  return h(
    "tr",
    { class: classes, dataset: { seat: seat.seat } },
    holderCell,
    h("td", { class: "post", "data-label": t("c.col.post") }, seat.ex_officio ? seat.ex_officio.title : ""),
    h(
      "td",
      { class: "unit", "data-label": t("c.col.unit") },
      seat.on_behalf_of
        ? link(`/units/${encodeURIComponent(seat.on_behalf_of.id)}`, seat.on_behalf_of.name)
        : seat.label
          ? h("span", { class: "muted seat-label" }, seat.label)
          : "",
    ),
    h("td", { class: "since", "data-label": t("c.col.since"), dataset: { date: since } }, fmtDate(since)),
    h(
      "td",
      { class: "decision", "data-label": t("c.col.decision") },
      decision ? link(`/decisions/${encodeURIComponent(decision.id)}`, decision.number || t("c.no_number")) : "",
    ),
  );
}

function seatTables(ctx, body, marks) {
  const { h, t } = ctx;
  const seats = [...(body.seats || [])];
  for (const extra of marks.onlyNow) if (extra.body === body.committee) seats.push(extra.seat);
  if (!seats.length) return [h("p", { class: "muted" }, body.active ? t("c.no_seats") : t("c.inactive"))];
  return groups(seats).map((group) =>
    h(
      "table",
      { class: "seats" },
      h("caption", {}, t(`roles.${group.role}`), group.seats.length > 1 ? h("span", { class: "muted count" }, ` (${t("c.count", { n: group.seats.length })})`) : null),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["holder", "post", "unit", "since", "decision"].map((c) => h("th", { scope: "col", class: c }, t(`c.col.${c}`))),
        ),
      ),
      h("tbody", { dataset: { role: group.role } }, group.seats.map((seat) => seatRow(ctx, seat, marks))),
    ),
  );
}

function subBodies(ctx, body, marks) {
  const { h } = ctx;
  return (body.sub_bodies || []).map((sub) =>
    h(
      "section",
      { class: "sub-body", dataset: { committee: sub.committee }, "aria-labelledby": `sub-${sub.committee}` },
      h("h2", { id: `sub-${sub.committee}` }, sub.name || ""),
      seatTables(ctx, sub, marks),
      subBodies(ctx, sub, marks),
    ),
  );
}

export async function render(ctx) {
  const { h, t, fmtDate, main, api } = ctx;
  const id = ctx.id;
  const root = document.getElementById("main");
  const state = {
    on: validDate(ctx.query.get("on")) ? ctx.query.get("on") : todayIso(),
    knownAt: ctx.query.get("known_at") || "",
    marks: [],
    min: 0,
    max: 0,
    axisDays: 0,
    pending: null,
    seq: 0,
  };
  const today = todayIso();

  const heading = h("h1", {}, "");
  const unitLine = h("p", { class: "muted unit-of" });
  const onShown = h("strong", { id: "on", class: "shown-date", dataset: { date: state.on } }, fmtDate(state.on));
  const onInput = h("input", { id: "on-input", type: "date", value: state.on });
  const knownInput = h("input", { id: "known-at", type: "text", value: state.knownAt, "aria-describedby": "known-at-hint", inputmode: "text", size: "22" });
  const knownApply = h("button", { type: "button", id: "known-at-apply" }, t("c.known_at.apply"));
  const knownClear = h("button", { type: "button", id: "known-at-clear" }, t("c.known_at.clear"));
  const controls = h(
    "div",
    { class: "controls" },
    h("div", { class: "field" }, h("span", {}, t("c.on")), onShown),
    h("div", { class: "field" }, h("label", { for: "on-input" }, t("c.pick")), onInput),
    h(
      "div",
      { class: "field" },
      h("label", { for: "known-at" }, t("c.known_at")),
      h("div", { class: "row" }, knownInput, knownApply, knownClear),
      h("span", { id: "known-at-hint", class: "hint" }, t("c.known_at.hint")),
    ),
  );

  const thumb = h("span", { class: "thumb" });
  const todayTick = h("span", { class: "today", "aria-hidden": "true" });
  const axis = h("div", { id: "axis", role: "slider", tabindex: "0", "aria-label": t("c.axis"), "aria-describedby": "timeline-hint" }, todayTick, thumb);
  const track = h("div", { class: "track" }, axis);
  const firstEnd = h("span", { dataset: { date: "" } });
  const lastEnd = h("span", { dataset: { date: "" } });
  const marksList = h("ol", { class: "marks-list" });
  const timeline = h(
    "div",
    { id: "timeline", role: "group", "aria-labelledby": "timeline-title" },
    h("h2", { id: "timeline-title" }, t("c.timeline")),
    h("p", { id: "timeline-hint", class: "hint" }, t("c.timeline.hint")),
    track,
    h("div", { class: "ends" }, firstEnd, lastEnd),
    marksList,
  );
  const note = h("div", { id: "recorded", class: "recorded-note", hidden: true });
  const diffList = h("ul", { id: "differences", "aria-label": t("c.differences"), hidden: true });
  const composition = h("section", { id: "composition", "aria-labelledby": "composition-title" });
  const printed = h("p", { class: "print-only printed" });
  main.append(heading, printed, unitLine, controls, timeline, note, diffList, composition, h("p", { class: "hint no-print" }, t("c.live")));

  const percent = (iso) => (state.axisDays ? ((toDays(iso) - state.min) / state.axisDays) * 100 : 0);

  function drawTimeline() {
    for (const b of track.querySelectorAll("button.mark")) b.remove();
    while (marksList.firstChild) marksList.removeChild(marksList.firstChild);
    const dates = state.marks.map((m) => m.on);
    const first = dates.length ? dates[0] : state.on;
    const last = [dates[dates.length - 1] || first, today].sort().pop();
    state.min = Math.min(toDays(first), toDays(state.on));
    state.max = Math.max(toDays(last), toDays(state.on));
    state.axisDays = Math.max(1, state.max - state.min);
    firstEnd.dataset.date = fromDays(state.min);
    firstEnd.textContent = fmtDate(fromDays(state.min));
    lastEnd.dataset.date = fromDays(state.max);
    lastEnd.textContent = fmtDate(fromDays(state.max));
    // CSSOM positions are not inline styles in the CSP's sense: no style attribute is parsed.
    todayTick.style.left = `${percent(today)}%`;
    const seen = new Set();
    // Marks closer than a mark's width (decisions of one day, or of days apart on a long
    // axis) go on lanes below one another, so each can still be clicked.
    const width = track.clientWidth || 1000;
    const gap = (22 / width) * 100;
    const lanes = [];
    const byDate = [...state.marks].sort((a, b) => (a.on < b.on ? -1 : a.on > b.on ? 1 : 0));
    for (const mark of byDate) {
      if (!mark.decision) continue;
      const key = `${mark.on}|${mark.decision.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const label = t("c.mark", { number: mark.decision.number || t("c.no_number"), date: fmtDate(mark.on) });
      const button = h("button", { type: "button", class: "mark", title: label, "aria-label": label, dataset: { decision: mark.decision.id, date: mark.on } });
      const at = percent(mark.on);
      let lane = lanes.findIndex((last) => at - last >= gap);
      if (lane < 0) lane = lanes.length;
      lanes[lane] = at;
      button.style.left = `${at}%`;
      if (lane > 0) button.style.top = `${0.65 + 1.35 * lane}rem`;
      button.addEventListener("click", () => go(mark.on, true));
      track.append(button);
      marksList.append(
        h(
          "li",
          { dataset: { date: mark.on } },
          h("span", { dataset: { date: mark.on } }, fmtDate(mark.on)),
          " — ",
          ctx.link(`/decisions/${encodeURIComponent(mark.decision.id)}`, mark.decision.number || t("c.no_number")),
        ),
      );
    }
    track.style.height = `${2.4 + 1.35 * Math.max(0, lanes.length - 1)}rem`;
    drawThumb();
  }

  function drawThumb() {
    const now = toDays(state.on);
    axis.setAttribute("aria-valuemin", String(state.min));
    axis.setAttribute("aria-valuemax", String(state.max));
    axis.setAttribute("aria-valuenow", String(now));
    axis.setAttribute("aria-valuetext", fmtDate(state.on));
    thumb.style.left = `${percent(state.on)}%`;
    for (const b of track.querySelectorAll("button.mark")) b.classList.toggle("current", b.dataset.date === state.on);
  }

  function url() {
    const q = new URLSearchParams();
    q.set("on", state.on);
    if (state.knownAt) q.set("known_at", state.knownAt);
    return `${location.pathname}?${q}`;
  }

  // Moves the view to `on`; the URL follows, the composition is read again.
  function go(on, now) {
    if (!validDate(on)) return;
    state.on = on;
    onInput.value = on;
    drawThumb();
    root.dataset.ready = "false";
    clearTimeout(state.pending);
    const run = () => {
      history.pushState(null, "", url());
      refresh().catch(fail);
    };
    if (now) run();
    else state.pending = setTimeout(run, 250);
  }

  function fail(error) {
    const box = document.getElementById("error");
    box.textContent = (error && (error.detail || error.title || error.message)) || String(error);
    box.hidden = false;
    root.dataset.error = (error && error.code) || "error";
    root.dataset.ready = "true";
  }

  async function refresh() {
    const seq = ++state.seq;
    const asked = { on: state.on, known_at: state.knownAt };
    // As known before the committee was recorded at all, there is nothing yet: every seat
    // of today's record is then a difference.
    const unknownThen = (error) => {
      if (state.knownAt && error.status === 404) return null;
      throw error;
    };
    const reads = [
      api.get(`/committees/${encodeURIComponent(id)}/composition`, asked).catch(unknownThen),
      api.get(`/committees/${encodeURIComponent(id)}/timeline`, { known_at: state.knownAt }).catch(unknownThen),
      state.knownAt ? api.get(`/committees/${encodeURIComponent(id)}/composition`, { on: state.on }) : null,
      api.get(`/committees/${encodeURIComponent(id)}`, {}).then((body) => body.answer).catch((e) => {
        if (e.status === 401) throw e;
        return null;
      }),
    ];
    const [found, timeline, current, entity] = await Promise.all(reads);
    if (seq !== state.seq || !ctx.isCurrent()) return;
    const nothing = { committee: current?.answer?.committee, name: null, active: false, seats: [], sub_bodies: [] };
    const shown = found || { answer: nothing, position: 0 };
    const line = timeline || { answer: { marks: [] }, position: 0 };
    const answer = shown.answer;
    const name = answer.name || entity?.name || current?.answer?.name || id;
    heading.textContent = name;
    document.title = `${name} · reformlog`;
    const parentUnit = entity?.details?.committee?.unit;
    while (unitLine.firstChild) unitLine.removeChild(unitLine.firstChild);
    if (parentUnit) unitLine.append(t("c.unit_of", { unit: "" }), ctx.link(`/units/${encodeURIComponent(parentUnit.id)}`, parentUnit.name));
    state.marks = line.answer.marks || [];
    drawTimeline();
    onShown.dataset.date = state.on;
    onShown.textContent = fmtDate(state.on);
    knownInput.value = state.knownAt;
    knownClear.disabled = !state.knownAt;

    const marks = { rows: new Set(), onlyNow: [], onlyNowIds: new Set() };
    while (diffList.firstChild) diffList.removeChild(diffList.firstChild);
    while (note.firstChild) note.removeChild(note.firstChild);
    if (state.knownAt && current) {
      const found = differences(ctx, answer, current.answer);
      marks.rows = found.rows;
      marks.onlyNow = found.onlyNow;
      marks.onlyNowIds = new Set(found.onlyNow.map((x) => x.seat.seat));
      const when = /^\d+$/.test(state.knownAt) ? `#${state.knownAt}` : /^\d{4}-\d{2}-\d{2}$/.test(state.knownAt) ? fmtDate(state.knownAt) : ctx.fmtTime(state.knownAt);
      note.append(h("p", {}, t("c.recorded", { when })), h("p", {}, found.lines.length ? t("c.recorded.differs", { n: found.lines.length }) : t("c.recorded.same")));
      note.hidden = false;
      for (const line of found.lines) diffList.append(h("li", {}, line));
      diffList.hidden = found.lines.length === 0;
    } else {
      note.hidden = true;
      diffList.hidden = true;
    }

    while (composition.firstChild) composition.removeChild(composition.firstChild);
    composition.append(
      h("h2", { id: "composition-title", class: "visually-hidden" }, `${t("c.on")} ${fmtDate(state.on)}`),
      ...seatTables(ctx, answer, marks),
    );
    const subs = subBodies(ctx, answer, marks);
    if (subs.length) composition.append(...subs);
    printed.textContent = t("c.printed", { date: fmtDate(today), on: fmtDate(state.on) });

    const position = String(Math.max(shown.position, line.position, current ? current.position : 0));
    main.dataset.position = position;
    root.dataset.position = position;
    if (root.dataset.error) {
      // A read that failed before is answered now: its message goes.
      delete root.dataset.error;
      document.getElementById("error").hidden = true;
    }
    if (root.dataset.ready === "false") root.dataset.ready = "true";
  }

  onInput.addEventListener("change", () => {
    if (validDate(onInput.value)) go(onInput.value, true);
  });
  const applyKnown = () => {
    state.knownAt = knownAtParam(knownInput.value);
    root.dataset.ready = "false";
    history.pushState(null, "", url());
    refresh().catch(fail);
  };
  knownApply.addEventListener("click", applyKnown);
  knownInput.addEventListener("keydown", (event) => {
    if (event.key === "Enter") applyKnown();
  });
  knownClear.addEventListener("click", () => {
    state.knownAt = "";
    root.dataset.ready = "false";
    history.pushState(null, "", url());
    refresh().catch(fail);
  });

  axis.addEventListener("click", (event) => {
    const rect = axis.getBoundingClientRect();
    if (!rect.width) return;
    const share = Math.min(1, Math.max(0, (event.clientX - rect.left) / rect.width));
    axis.focus();
    go(fromDays(state.min + Math.round(share * state.axisDays)), true);
  });
  axis.addEventListener("keydown", (event) => {
    const now = toDays(state.on);
    const dates = [...new Set(state.marks.map((m) => m.on))].sort();
    let next = null;
    switch (event.key) {
      case "ArrowLeft":
      case "ArrowDown":
        next = fromDays(Math.max(state.min, now - 1));
        break;
      case "ArrowRight":
      case "ArrowUp":
        next = fromDays(Math.min(state.max, now + 1));
        break;
      case "PageUp":
        next = dates.filter((d) => d < state.on).pop() || null;
        break;
      case "PageDown":
        next = dates.find((d) => d > state.on) || null;
        break;
      case "Home":
        next = fromDays(state.min);
        break;
      case "End":
        next = fromDays(state.max);
        break;
      default:
        return;
    }
    event.preventDefault();
    if (next && next !== state.on) go(next, false);
  });

  await refresh();
  // Started once the page could read its answers, so a missing token is asked for once.
  ctx.onLive(() => {
    refresh().catch(fail);
  });
}
