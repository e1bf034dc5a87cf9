"""Image uploads: checked by content and size, stored under the instance folder, served from this origin."""

from __future__ import annotations

import io

import pytest

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media_dir(app, tmp_path):
    app.config["MEDIA_DIR"] = str(tmp_path)
    return tmp_path


def post(client, data: bytes, name: str = "a.png"):
    return client.post(
        "/console/media",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        headers={"Accept": "application/json"},
    )


def test_an_image_is_stored_and_served(as_marketer, media_dir):
    response = post(as_marketer, PNG)
    assert response.status_code == 201
    path = response.get_json()["path"]
    served = as_marketer.get(path)
    assert served.status_code == 200 and served.data == PNG
    assert "sandbox" in served.headers["Content-Security-Policy"]
    assert (media_dir / path.rsplit("/", 1)[1]).read_bytes() == PNG


def test_non_images_and_large_files_are_refused(as_marketer):
    assert post(as_marketer, b"<svg onload=alert(1)>", "x.png").status_code == 400
    assert post(as_marketer, PNG + b"\x00" * (2 * 1024 * 1024)).status_code == 400
    assert as_marketer.get("/console/media/..%2Fapp.py").status_code == 404
