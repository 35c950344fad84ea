"""Complete, valid reports for the shipped survey: as a browser posts them, and as they are stored."""

import uuid

import sqlalchemy as sa

from models import Response, Unit, db
from reporting.saving import save_report

LONG_TEXT_IDS = (
    "dac_diem_tinh_hinh", "nhan_thuc", "thuc_trang", "chuan_bi_dieu_hanh", "nen_nep", "danh_gia_noi_dung",
    "danh_gia_chuyen_de", "y_kien_dong_gop", "uu_diem", "han_che", "kho_khan", "bai_hoc", "phuong_huong",
    "de_xuat",
)


def cell_report(**changes):
    """Return form data answering every question a party cell is asked."""
    data = {question_id: f"Chi bộ đánh giá: nội dung “{question_id}” được thực hiện nghiêm túc."
            for question_id in LONG_TEXT_IDS}
    data.update(
        linh_vuc="nong_thon", so_dang_vien="25", so_dang_vien_mien_sinh_hoat="2", ty_le_tham_du="92,5",
        so_buoi_sinh_hoat="12", noi_dung_sinh_hoat=["thoi_su", "quan_triet", "phe_binh"],
        noi_dung_tap_trung="quan_triet", so_chuyen_de="2,5", chuyen_de_hieu_qua="Học tập và làm theo Bác",
        da_lay_y_kien="co", ngay_thao_luan="2027-04-02",
    )
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def committee_report(**changes):
    """Return form data answering every question a grassroots party committee is asked."""
    return cell_report(so_chi_bo_truc_thuoc="8", da_to_chuc_hoi_nghi="co", ngay_hoi_nghi="12/04/2027",
                       so_dang_vien="180", **changes)


def stored_cell_answers(**changes):
    """Return a party cell's complete answers as the database stores them."""
    answers = {question_id: f"Ý kiến về “{question_id}”." for question_id in LONG_TEXT_IDS}
    answers.update(
        linh_vuc="nong_thon", so_dang_vien=25, so_dang_vien_mien_sinh_hoat=2, ty_le_tham_du=92.5,
        so_buoi_sinh_hoat=12, noi_dung_sinh_hoat=["thoi_su", "quan_triet", "phe_binh"],
        noi_dung_tap_trung="quan_triet", so_chuyen_de=2.5, chuyen_de_hieu_qua="Học tập và làm theo Bác",
        da_lay_y_kien=True, ngay_thao_luan="2027-04-02",
    )
    answers.update(changes)
    return {key: value for key, value in answers.items() if value is not None}


def store(app, code, answers, action="submit"):
    """Save answers for a unit as its link would, on top of its current revision."""
    with app.app_context():
        unit = db.session.scalar(sa.select(Unit).filter_by(code=code))
        survey = app.extensions["survey"]
        current = db.session.scalar(sa.select(Response.current_number).filter_by(unit_id=unit.id))
        save_report(unit, answers, action=action, based_on=current, submission_id=uuid.uuid4().hex,
                    config_version=survey.version, token=unit.token,
                    deadline=survey.deadline_for(unit.level, unit.deadline_extended_to))
