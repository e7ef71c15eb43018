"""Check-in on every phone: where the browser has no BarcodeDetector (iPhones, WeChat's
browser) the check-in page reads tickets with jsQR, served by ParkWell itself."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import segno

from core.config import ASSET_ROOT
from park.registration import format_code
from tests.park.factories import ParkKit

JSQR = ASSET_ROOT / "static" / "vendor" / "jsqr" / "jsQR.min.js"


@pytest.fixture
def kit(make) -> ParkKit:
    return ParkKit(make)


def test_the_check_in_page_offers_the_local_decoder_and_the_app_serves_it(client, kit):
    session = kit.session()
    with client.session_transaction() as signed_in:
        signed_in["_user_id"], signed_in["_fresh"] = kit.committee.get_id(), True
    page = client.get(f"/park/sessions/{session.id}/checkin").get_data(as_text=True)
    assert 'data-jsqr="/static/vendor/jsqr/jsQR.min.js"' in page
    with client.get("/static/vendor/jsqr/jsQR.min.js") as served:
        assert served.status_code == 200 and b"jsQR" in served.data[:200]
    licence = (JSQR.parent / "LICENSE").read_text()
    assert "Apache License" in licence and "Version 2.0" in licence


def test_the_fallback_loads_nothing_from_elsewhere():
    script = (ASSET_ROOT / "static" / "js" / "checkin.js").read_text()
    assert "BarcodeDetector" in script and "box.dataset.jsqr" in script
    assert "http://" not in script and "https://" not in script


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js to run the decoder")
def test_the_vendored_decoder_reads_a_tickets_qr_code(tmp_path):
    code = format_code("K7QM2XPA")
    matrix = [list(row) for row in segno.make(code, error="m", micro=False).matrix_iter(
        scale=6, border=4)]
    height, width = len(matrix), len(matrix[0])
    rgba = bytearray()
    for row in matrix:
        for dark in row:
            value = 0 if dark else 255
            rgba += bytes((value, value, value, 255))
    frame = tmp_path / "frame.rgba"
    frame.write_bytes(bytes(rgba))
    reader = (f"const jsQR = require({str(JSQR)!r});"
              f"const data = new Uint8ClampedArray(require('fs').readFileSync({str(frame)!r}));"
              f"const found = jsQR(data, {width}, {height});"
              "process.stdout.write(found ? found.data : 'NOTHING');")
    result = subprocess.run(["node", "-e", reader], capture_output=True, text=True,
                            timeout=60, check=True)
    assert result.stdout == code
