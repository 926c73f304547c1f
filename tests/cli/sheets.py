"""Spreadsheets written and read by another program, for tests/cli/sheets.rs.

  sheets.py write FILE   writes a plan's task sheet as an office keeps it: a merged title row,
                         Vietnamese headers on row 4, a section heading, date cells, a lead
                         merged down two rows, a second sheet without a task table, and
                         styled empty rows after the table
  sheets.py read FILE    prints every sheet of FILE as JSON: {sheet: [[cell, ...], ...]}, each
                         cell null, a string, a number, or {"date": "YYYY-MM-DD"} for a date
                         cell
"""

import datetime
import json
import sys

import openpyxl


def write(path):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Kế hoạch"
    ws["A1"] = "KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2021 CỦA BỘ THÔNG TIN VÀ TRUYỀN THÔNG"
    ws.merge_cells("A1:I1")
    ws["A2"] = "(các nhiệm vụ, thời hạn và ngày giao dưới đây là giả định, để kiểm thử)"
    ws.append([])
    ws.append([
        "STT", "Mã nhiệm vụ", "Tên nhiệm vụ", "Sản phẩm", "Đơn vị chủ trì",
        "Đơn vị phối hợp", "Người phụ trách", "Thời hạn\n(ngày/tháng/năm)", "Ngày giao",
    ])
    ws.append(["I", None, "CẢI CÁCH THỦ TỤC HÀNH CHÍNH"])
    ws.merge_cells("C5:I5")
    ws.append([
        1, "XL-01", "Rà soát thủ tục hành chính thuộc phạm vi quản lý của Bộ",
        "Báo cáo kết quả rà soát", "Vụ Pháp chế", "Văn phòng Bộ\nThanh tra Bộ",
        "Phạm Minh Tiến", datetime.date(2021, 6, 30), datetime.date(2021, 2, 1),
    ])
    ws.append([
        2, "XL-02", "Công bố thủ tục hành chính sửa đổi", "Quyết định công bố", None,
        None, None, "30/09/2021", None,
    ])
    ws.merge_cells("E6:E7")
    ws.append([
        3, "XL-03", "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính",
        "Báo cáo kết quả số hóa", "Văn phòng Bộ",
        "Cục Xuất bản, In và Phát hành; Cục Tin học hoá", None,
        datetime.datetime(2021, 11, 15, 0, 0), None,
    ])
    for row in (8, 9):
        ws.cell(row=row, column=8).number_format = "DD/MM/YYYY"
    # Empty rows that still count in the sheet's extent, as formatting leaves them.
    for row in range(12, 40):
        ws.cell(row=row, column=1).number_format = "@"
    ws.cell(row=41, column=3).value = " "
    notes = book.create_sheet("Ghi chú")
    notes["A1"] = "Bảng theo dõi do Văn phòng Bộ lập"
    book.save(path)


def cell(value):
    if isinstance(value, datetime.datetime):
        return {"date": value.date().isoformat()}
    if isinstance(value, datetime.date):
        return {"date": value.isoformat()}
    return value


def read(path):
    book = openpyxl.load_workbook(path)
    out = {}
    for ws in book.worksheets:
        out[ws.title] = [[cell(c) for c in row] for row in ws.iter_rows(values_only=True)]
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    {"write": write, "read": read}[sys.argv[1]](sys.argv[2])
