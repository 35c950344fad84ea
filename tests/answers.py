"""Complete, valid reports for the shipped survey, per level: as a browser posts them, and as they are stored."""

import uuid

import sqlalchemy as sa

from consolidation.answer_texts import link_saved_revisions
from models import AnswerText, Excerpt, Response, Revision, RevisionText, Unit, db
from reports.saving import save_report

#: The narrative questions every level is asked, in outline order.
SHARED_LONG_TEXT_IDS = (
    "dac_diem_tinh_hinh", "nhan_thuc", "thuc_trang", "chuan_bi_dieu_hanh", "nen_nep", "danh_gia_noi_dung",
    "danh_gia_chuyen_de", "y_kien_dong_gop", "uu_diem", "han_che", "kho_khan", "bai_hoc", "phuong_huong",
    "de_xuat_trung_uong", "de_xuat_tinh_uy",
)
#: The narrative questions a party cell is asked, in outline order (a district-level committee, whose
#: committee directly above is the Provincial Committee, has no separate proposals to it).
LONG_TEXT_IDS = (*SHARED_LONG_TEXT_IDS, "de_xuat_cap_tren")


def _report(texts, answers, changes):
    """Return the texts and answers with the changes made, leaving out what a change sets to None."""
    # The choices every level gives alike post as they are stored.
    shared = dict(linh_vuc="nong_thon", noi_dung_sinh_hoat=["thoi_su", "quan_triet", "phe_binh"],
                  chu_de_hieu_qua="hoc_tap_bac_ho", chuyen_de_hieu_qua="Học tập và làm theo Bác")
    data = {**texts, **shared, **answers, **changes}
    return {key: value for key, value in data.items() if value is not None}


def _posted_texts(ids):
    return {question_id: f"Chi bộ đánh giá: nội dung “{question_id}” được thực hiện nghiêm túc." for question_id in ids}


def _stored_texts(ids):
    return {question_id: f"Ý kiến về “{question_id}”." for question_id in ids}


def cell_report(**changes):
    """Return form data answering every question a party cell is asked."""
    return _report(_posted_texts(LONG_TEXT_IDS), dict(
        so_dang_vien="25", so_dang_vien_mien_sinh_hoat="2", ty_le_tham_du="92,5",
        so_buoi_sinh_hoat="12", noi_dung_tap_trung="quan_triet", so_chuyen_de="2,5",
        da_lay_y_kien="co", ngay_thao_luan="2027-04-02",
    ), changes)


def committee_report(**changes):
    """Return form data answering every question a grassroots party committee is asked."""
    return _report(_posted_texts(LONG_TEXT_IDS), dict(
        so_dang_vien="180", so_dang_vien_mien_sinh_hoat="9", so_chi_bo_truc_thuoc="8",
        ty_le_tham_du="90,4", so_ky_sinh_hoat_binh_quan="11,5", so_chi_bo_du_12_ky="6", so_chuyen_de="3,25",
        so_chi_bo_chuyen_de_hang_quy="5", da_lay_y_kien="co", ngay_thao_luan="2027-04-08",
        da_to_chuc_hoi_nghi="co", ngay_hoi_nghi="12/04/2027",
    ), changes)


def district_report(**changes):
    """Return form data answering every question a district-level committee is asked."""
    return _report(_posted_texts(SHARED_LONG_TEXT_IDS), dict(
        so_dang_vien="5400", so_dang_vien_mien_sinh_hoat="310", so_chi_bo_truc_thuoc="240",
        so_to_chuc_co_so_dang="42", ty_le_tham_du="88", so_ky_sinh_hoat_binh_quan="11,2", so_chi_bo_du_12_ky="198",
        so_chuyen_de="3", so_chi_bo_chuyen_de_hang_quy="150", btv_da_thao_luan="co", ngay_btv_thao_luan="17/04/2027",
        so_hoi_nghi_uv_btv_du="20",
    ), changes)


def stored_cell_answers(**changes):
    """Return a party cell's complete answers as the database stores them."""
    return _report(_stored_texts(LONG_TEXT_IDS), dict(
        so_dang_vien=25, so_dang_vien_mien_sinh_hoat=2, ty_le_tham_du=92.5,
        so_buoi_sinh_hoat=12, noi_dung_tap_trung="quan_triet", so_chuyen_de=2.5,
        da_lay_y_kien=True, ngay_thao_luan="2027-04-02",
    ), changes)


def stored_committee_answers(**changes):
    """Return a grassroots party committee's complete answers as the database stores them."""
    return _report(_stored_texts(LONG_TEXT_IDS), dict(
        so_dang_vien=180, so_dang_vien_mien_sinh_hoat=9, so_chi_bo_truc_thuoc=8,
        ty_le_tham_du=90.4, so_ky_sinh_hoat_binh_quan=11.5, so_chi_bo_du_12_ky=6, so_chuyen_de=3.25,
        so_chi_bo_chuyen_de_hang_quy=5, da_lay_y_kien=True, ngay_thao_luan="2027-04-08",
        da_to_chuc_hoi_nghi=True, ngay_hoi_nghi="2027-04-12",
    ), changes)


def store(app, code, answers, action="submit"):
    """Save answers for a unit as its link would, on top of its current revision."""
    with app.app_context():
        unit = db.session.scalar(sa.select(Unit).filter_by(code=code))
        survey = app.extensions["survey"]
        current = db.session.scalar(sa.select(Response.current_number).filter_by(unit_id=unit.id))
        save_report(unit, answers, action=action, based_on=current, submission_id=uuid.uuid4().hex,
                    config_version=survey.version, token=unit.token,
                    deadline=survey.deadline_for(unit.level, unit.deadline_extended_to))


def stored_text(app, code, number="submitted_number", question_id="nhan_xet"):
    """Return the stored text (id, body, terms) a unit's submitted (or current) revision gives a narrative
    question, as a committee's reading finds it (the saves linked first)."""
    with app.app_context():
        link_saved_revisions()
        return db.session.execute(
            sa.select(AnswerText.id, AnswerText.body, AnswerText.terms)
            .join(RevisionText, RevisionText.text_id == AnswerText.id)
            .join(Revision, Revision.id == RevisionText.revision_id)
            .join(Response, sa.and_(Response.id == Revision.response_id, Revision.number == getattr(Response, number)))
            .join(Unit, Unit.id == Response.unit_id)
            .where(Unit.code == code, RevisionText.question_id == question_id)).one()


def choose(app, committee, unit, start, end, position, note=None, question_id="nhan_xet"):
    """Store an excerpt as a committee picks one: a passage of the unit's current text, at a place in its
    order; return the passage."""
    text = stored_text(app, unit, "current_number", question_id)
    with app.app_context():
        committee_id = db.session.scalar(sa.select(Unit.id).filter_by(code=committee))
        unit_id = db.session.scalar(sa.select(Unit.id).filter_by(code=unit))
        db.session.add(Excerpt(committee_id=committee_id, question_id=question_id, unit_id=unit_id, text_id=text.id,
                               start_offset=start, end_offset=end, passage=text.body[start:end], note=note,
                               position=position))
        db.session.commit()
    return text.body[start:end]
