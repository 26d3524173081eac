"""The photographs of §9.11, and all the data the ``segmentation_style`` notebook reads.

The book's photographs (``rainier.jpg``, ``autumn_oak.jpg``) are downloads; scikit-image ships
real photographs instead, so the grading host writes its cat (``chelsea``) as the content image
and its cup of coffee (``coffee``) as the style image, as JPEG files the notebook opens with
PIL.  scikit-image is imported here only, on the host: notebooks never need it.
"""

from __future__ import annotations

import os
from pathlib import Path

from PIL import Image

from .voc import write_voc_standin

__all__ = ["CONTENT_NAME", "STYLE_NAME", "write_seg_style_data", "write_style_photos"]

CONTENT_NAME = "style_transfer/content.jpg"
STYLE_NAME = "style_transfer/style.jpg"


def write_style_photos(root: str | os.PathLike[str]) -> tuple[Path, Path]:
    """Write ``root/style_transfer/{content,style}.jpg``; returns both paths."""
    from skimage import data  # the grading host has scikit-image; the notebook does not

    paths = []
    for name, array in ((CONTENT_NAME, data.chelsea()), (STYLE_NAME, data.coffee())):
        path = Path(root) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(array).save(path, quality=90)
        paths.append(path)
    return paths[0], paths[1]


def write_seg_style_data(root: str | os.PathLike[str]) -> None:
    """Everything the notebook reads: the VOC stand-in tree and the two photographs."""
    write_voc_standin(root)
    write_style_photos(root)
