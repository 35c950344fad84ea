"""The guides' screenshot script, run on a tiny province for two of its pictures: it builds make run's demo,
serves it and writes PNG files of the expected size.

Needs Debian's Chromium at /usr/bin/chromium, as the browser test does.
"""

import os
import shutil

import pytest
from PIL import Image

from tools.screenshots import CHROMIUM, SHOTS, take_screenshots

if not (os.path.exists(CHROMIUM) and shutil.which(CHROMIUM)):
    pytest.skip(f"the screenshot script needs Chromium at {CHROMIUM}", allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.once]

#: A province of nine reporting units: one of each level left blank, the others under way.
TINY_PROVINCE = """code,name,level,parent_code
TU,Tỉnh ủy thử,tinh,
A,Đảng ủy cơ quan thử,cap_huyen,TU
A.D,Đảng bộ cơ sở thử,dang_bo_co_so,A
A.D.1,Chi bộ một,chi_bo_truc_thuoc,A.D
A.D.2,Chi bộ hai,chi_bo_truc_thuoc,A.D
A.D.3,Chi bộ ba,chi_bo_truc_thuoc,A.D
A.C,Chi bộ cơ sở thử,chi_bo_co_so,A
B,Đảng bộ phường thử,dang_bo_co_so,TU
B.1,Chi bộ khu phố một,chi_bo_truc_thuoc,B
B.2,Chi bộ khu phố hai,chi_bo_truc_thuoc,B
"""


def test_the_script_takes_a_phone_and_a_desktop_picture_of_the_demo(tmp_path):
    units = tmp_path / "units.csv"
    units.write_text(TINY_PROVINCE, encoding="utf-8")
    out = tmp_path / "guide"

    written = take_screenshots(out, ["unit-form", "progress"], units, languages=("vi",))

    assert sorted(path.name for path in written) == ["progress.vi.png", "unit-form.vi.png"]
    with Image.open(out / "unit-form.vi.png") as phone:
        assert phone.size == SHOTS["unit-form"][0] and phone.mode == "P"
    with Image.open(out / "progress.vi.png") as desktop:
        width, height = desktop.size
        # The page's column, below the site's bar: admin pages use the desktop's whole width.
        screen_width, screen_height = SHOTS["progress"][0]
        assert 600 < width <= screen_width and 300 < height < screen_height
