// Labels in Vietnamese (the default) and English, and dates as offices write them.

const LANG_KEY = "reformlog.lang";

const tables = {
  vi: {
    "site.title": "Lịch sử ban chỉ đạo cải cách hành chính",
    "nav.label": "Điều hướng",
    "nav.search": "Tìm kiếm",
    "nav.audit": "Nhật ký thay đổi",
    "skip": "Bỏ qua đến nội dung",
    "lang.switch": "English",
    "lang.switch.label": "Switch to English",
    "sign_out": "Đăng xuất",
    "token.title": "Cần mã truy cập",
    "token.intro": "Máy chủ này yêu cầu mã truy cập để đọc dữ liệu. Mã chỉ được giữ trong thẻ trình duyệt này và bị xoá khi đóng thẻ.",
    "token.label": "Mã truy cập",
    "token.submit": "Tiếp tục",
    "token.refused": "Mã truy cập không được chấp nhận. Hãy kiểm tra và nhập lại.",
    "error.title": "Không tải được trang",
    "error.not_found": "Không có trang này.",
    "error.network": "Không kết nối được tới máy chủ.",
    "error.forbidden": "Mã truy cập này không có quyền xem nội dung này.",
    "loading": "Đang tải…",
    "none": "—",
    "today": "hôm nay",
    "role1.head": "Trưởng ban",
    "role1.standing_deputy_head": "Phó Trưởng ban thường trực",
    "role1.deputy_head": "Phó Trưởng ban",
    "role1.member": "Thành viên",
    "role1.group_leader": "Tổ trưởng",
    "role1.deputy_group_leader": "Tổ phó",
    "role1.group_member": "Tổ viên",
    "role1.secretary": "Thư ký",
  },
  en: {
    "site.title": "Administrative reform committee history",
    "nav.label": "Navigation",
    "nav.search": "Search",
    "nav.audit": "Audit",
    "skip": "Skip to content",
    "lang.switch": "Tiếng Việt",
    "lang.switch.label": "Chuyển sang tiếng Việt",
    "sign_out": "Sign out",
    "token.title": "Access token needed",
    "token.intro": "This server needs an access token to read its data. The token stays in this browser tab only and is forgotten when the tab closes.",
    "token.label": "Access token",
    "token.submit": "Continue",
    "token.refused": "The access token was refused. Check it and enter it again.",
    "error.title": "The page could not be loaded",
    "error.not_found": "There is no such page.",
    "error.network": "The server could not be reached.",
    "error.forbidden": "This access token may not see this.",
    "loading": "Loading…",
    "none": "—",
    "today": "today",
    "role1.head": "Head",
    "role1.standing_deputy_head": "Standing deputy head",
    "role1.deputy_head": "Deputy head",
    "role1.member": "Member",
    "role1.group_leader": "Group leader",
    "role1.deputy_group_leader": "Deputy group leader",
    "role1.group_member": "Group member",
    "role1.secretary": "Secretary",
  },
};

function stored() {
  try {
    return localStorage.getItem(LANG_KEY) === "en" ? "en" : "vi";
  } catch {
    return "vi";
  }
}

let current = stored();

export function lang() {
  return current;
}

export function setLang(value) {
  current = value === "en" ? "en" : "vi";
  try {
    localStorage.setItem(LANG_KEY, current);
  } catch {
    // A browser that keeps no storage still switches for this page.
  }
  document.documentElement.lang = current;
}

// Merges a page's {vi: {...}, en: {...}} table into the labels.
export function register(strings) {
  for (const code of ["vi", "en"]) {
    Object.assign(tables[code], (strings && strings[code]) || {});
  }
}

// t("key") or t("key", {n: 3}) for a label with {n} in it.
export function t(key, vars) {
  let text = tables[current][key] ?? tables.vi[key] ?? key;
  if (vars) {
    for (const [k, v] of Object.entries(vars)) text = text.split(`{${k}}`).join(String(v));
  }
  return text;
}

const pad = (n) => String(n).padStart(2, "0");

// "2024-03-05" -> "05/03/2024"; anything else is shown as it came.
export function fmtDate(iso) {
  if (!iso) return "";
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(iso));
  return m ? `${m[3]}/${m[2]}/${m[1]}` : String(iso);
}

// An RFC 3339 time or microseconds since the epoch -> "05/03/2024 14:07", local time.
export function fmtTime(value) {
  if (value === null || value === undefined || value === "") return "";
  const date = typeof value === "number" ? new Date(value / 1000) : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return `${pad(date.getDate())}/${pad(date.getMonth() + 1)}/${date.getFullYear()} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

// Vietnamese order for names (đ after d, tones after the bare letter), numbers by value.
export function collator() {
  return new Intl.Collator(current, { numeric: true, sensitivity: "base" });
}
