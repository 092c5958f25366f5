"""The demo's tasks and the sample history of each (days relative to the run).

A step is ``(day, action, *arguments)``; ``day`` counts from the day the demo runs
(−40 is forty days ago). ``deadline`` is in days from that day too. Together they
give every state, tasks due within a week, overdue tasks, a return for rework, an
extension, a reassignment and a cancellation. Units per target are a sample guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

NOTE = ("Dữ liệu mẫu do lệnh “nhiemvu demo” tạo. Việc giao cho đơn vị nào là giả định "
        "minh họa, không có trong bản tin về hội nghị.")


@dataclass(frozen=True)
class DemoTask:
    title: str
    unit: str
    deadline: int
    target: str | None
    steps: tuple[tuple[Any, ...], ...]
    description: str = NOTE


TASKS = [
    DemoTask("Tập huấn kỹ năng số cho cán bộ, công chức xã", "VP", -5, "CT01", (
        (-40, "assign"), (-38, "start", "member"),
        (-30, "note", "member", "Đã tập huấn đợt 1 cho 12/20 cán bộ, công chức.", 60),
        (-20, "note", "head", "Hoàn thành đợt 2; còn 1 người nghỉ phép.", 95, "95"),
        (-12, "report", "Đã tập huấn kỹ năng số cho 20/20 cán bộ, công chức.", "100",
         "danh-sach-tap-huan.txt"),
        (-10, "verify", "Đạt chỉ tiêu 100%."))),
    DemoTask("Xử lý hồ sơ công việc trên phần mềm quản lý văn bản", "VP", 3, "CT02", (
        (-40, "assign"), (-36, "start"),
        (-15, "note", "member", "Đã xử lý trên môi trường mạng 40% hồ sơ.", 40, "40"),
        (-4, "note", "member", "Tỷ lệ hồ sơ xử lý trên mạng đạt 55%.", 70, "55"))),
    DemoTask("Giải quyết hồ sơ hành chính trực tuyến toàn trình", "TPHT", 5, "CT03", (
        (-40, "assign"), (-35, "start"),
        (-20, "note", "member", "Hướng dẫn người dân nộp hồ sơ trên Cổng dịch vụ công.", 50),
        (-2, "report", "52% hồ sơ hành chính được giải quyết trực tuyến toàn trình.", "52",
         "thong-ke-ho-so-truc-tuyen.txt"))),
    DemoTask("Thực hiện chế độ báo cáo trực tuyến, liên thông hệ thống báo cáo quốc gia",
             "TCKT", -3, "CT04", (
        (-40, "assign"), (-33, "start", "member"),
        (-10, "note", "member", "7/10 loại báo cáo đã gửi trực tuyến.", 70, "70"))),
    DemoTask("Vận động người dân trong độ tuổi lao động mở tài khoản ngân hàng", "DTN", 20,
             "CT05", ((-7, "assign"),)),
    DemoTask("Số hóa dữ liệu hộ sản xuất nông nghiệp", "DCNN", -20, "CT06", (
        (-40, "assign"), (-38, "start"),
        (-25, "note", "member", "Đã nhập dữ liệu của các hộ xóm 1, xóm 2.", 50),
        (-21, "report", "Đã số hóa dữ liệu 60% hộ sản xuất nông nghiệp.", "60"),
        (-19, "return", "Chưa đạt 75%; bổ sung danh sách hộ đã số hóa theo từng xóm."),
        (-12, "note", "member", "Bổ sung dữ liệu xóm 3.", 90, "72"),
        (-9, "report", "Đã số hóa dữ liệu 76% hộ sản xuất nông nghiệp.", "76",
         "danh-sach-ho-da-so-hoa.txt"),
        (-7, "verify", "Đạt chỉ tiêu, hoàn thành sau hạn."))),
    DemoTask("Vận động hộ gia đình thanh toán tiền điện qua ngân hàng", "TCKT", -4, "CT07", (
        (-40, "assign"), (-34, "start"),
        (-6, "extend", 10, "Chờ Điện lực cung cấp danh sách hộ thanh toán qua ngân hàng."),
        (-3, "note", "member", "45% hộ gia đình đã thanh toán tiền điện qua ngân hàng.", 80,
         "45"))),
    DemoTask("Hỗ trợ người dân sử dụng điện thoại thông minh", "CNS1", 30, "CT08", (
        (-40, "assign"),
        (-30, "reassign", "CNS2", "Phân công lại theo địa bàn dân cư."),
        (-28, "start"),
        (-5, "note", "member", "Hỗ trợ 35 hộ cài đặt và sử dụng điện thoại thông minh.", 40))),
    DemoTask("Hướng dẫn người dân sử dụng thanh toán điện tử", "CNS2", -1, "CT09",
             ((-40, "assign"),)),
    DemoTask("Vận động người dân lập hồ sơ sức khỏe điện tử", "VHXH", 25, "CT10", (
        (-40, "assign"), (-37, "start"),
        (-15, "cancel", "Trạm y tế xã chủ trì theo kế hoạch của ngành y tế."))),
    DemoTask("Hoàn thiện mô hình quản trị số tại các trường học", "VHXH", 2, "CT11", (
        (-40, "assign"), (-36, "start"),
        (-10, "note", "head", "3/3 trường đã dùng phần mềm quản lý trường học.", 90),
        (-1, "report", "100% trường học hoàn thiện mô hình quản trị số.", "100",
         "bien-ban-kiem-tra-truong-hoc.txt"))),
    DemoTask("Tuyên truyền nâng cao nhận thức về chuyển đổi số tại các xóm", "CNS3", 15,
             None, (
        (-40, "assign"), (-39, "start"),
        (-20, "note", "member", "Phát thanh trên loa truyền thanh 3 buổi/tuần.", 60),
        (-6, "report", "Hoàn thành tuyên truyền tại 3 xóm.", None, "anh-buoi-tuyen-truyen.txt"),
        (-3, "verify", "Tốt."))),
    DemoTask("Số hóa hồ sơ, tài liệu lưu trữ của UBND xã", "VP", 6, None,
             ((-12, "assign"),)),
    DemoTask("Phối hợp doanh nghiệp viễn thông bảo đảm hạ tầng số, mở rộng Internet",
             "DCNN", 45, None, (
        (-30, "assign"), (-25, "start"),
        (-8, "note", "head", "Đã khảo sát vùng lõm sóng tại xóm 3.", 30))),
    DemoTask("Hướng dẫn hội viên sử dụng dịch vụ công trực tuyến", "HPN", 0, None, (
        (-30, "assign"), (-28, "start", "member"),
        (-5, "note", "member", "Đã hướng dẫn 120 hội viên.", 85))),
    DemoTask("Ứng dụng công nghệ thông tin tại bộ phận một cửa", "TPHT", -8, None, (
        (-40, "assign"), (-30, "start"),
        (-10, "report", "Bộ phận một cửa đã dùng phần mềm một cửa điện tử.", None))),
]
