"""Pillow's Image module loads where it is used, not where reportlab starts (`lyncposter._pillow`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import DATA

# a build of the main sheet, then a use of Pillow in the same process: reportlab's image
# support and Pillow as a program beside lyncposter would use it
SCRIPT = """
import sys
from lyncposter import _pillow, cli
try:
    cli.main(["build", "--data", sys.argv[1], "--out", sys.argv[2], "--sheet", "workloads"])
except SystemExit as stop:
    assert not stop.code, stop.code
print("after build", _pillow.loaded())
from PIL import Image
from reportlab.lib.utils import ImageReader
image = Image.new("RGB", (3, 2), "white")
print("reader", ImageReader(image).getSize(), _pillow.loaded())
import PIL.Image
print("same module", PIL.Image is Image, type(Image).__name__)
"""


def test_a_build_does_not_load_pillows_image_and_pillow_still_works(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, "-c", SCRIPT, str(DATA), str(tmp_path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-3:] == ["after build False", "reader (3, 2) True", "same module True module"]
    assert list(tmp_path.glob("*.pdf"))
