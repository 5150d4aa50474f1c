"""YouTube Faces (YTF) files in the official layout (docs/formats.md).

Facts relied on (from the database README shipped with YouTubeFaces.tar, and public readers of it):

- Frames: `frame_images_DB/<name>/<video>/<video>.<frame>.jpg`; `<video>` is a small integer, `<frame>`
  an integer that does not start at 0 and is not zero-padded, so frames are sorted numerically.
- Face boxes: `frame_images_DB/<name>.labeled_faces.txt`, one line per frame,
  `filename,[ignore],x,y,width,height,[ignore],[ignore]`, e.g.
  `Richard_Gere\\3\\3.618.jpg,0,262,165,132,132,0.0,1`; the filename uses backslashes and (x, y) is
  the CENTRE of the face box, width and height its size.
- Pairs: `splits.txt` (also `splits_corrected.txt` from the errata) has one header line, then one
  comma-separated row per pair, `split number, pair number, first video, second video, is same`,
  where a video is `name/video` (5 fields; spaces after commas are tolerated). 10 splits of 500
  pairs. The rows were checked against a public reader that unpacks exactly these 5 fields; a
  7-field variant `split, pair, first name, second name, first video, second video, is same`
  (video as `name/video` or a bare video number) is also accepted in case a copy uses it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from sphere.errors import InputError
from sphere.formats.text import finite_floats, read_lines

FRAME_NAME = re.compile(r"^(?P<video>[^.\\/]+)\.(?P<frame>\d+)\.jpg$", re.IGNORECASE)


@dataclass(frozen=True)
class FaceBox:
    """One line of a `.labeled_faces.txt` file; (cx, cy) is the box centre."""

    video: str  # "name/video"
    frame: int
    path: str  # "name/video/video.frame.jpg", relative to frame_images_DB, forward slashes
    cx: float
    cy: float
    width: float
    height: float

    @property
    def corners(self) -> tuple[float, float, float, float]:
        """(x1, y1, x2, y2) of the box."""
        return (
            self.cx - self.width / 2,
            self.cy - self.height / 2,
            self.cx + self.width / 2,
            self.cy + self.height / 2,
        )


@dataclass(frozen=True)
class VideoPair:
    split: int
    index: int
    video1: str  # "name/video"
    video2: str
    same: bool
    where: str = field(default="", compare=False)  # "splits.txt:LINE", for messages about this pair


def frame_number(path: Path | str) -> int:
    """The `<frame>` of `<video>.<frame>.jpg`; ValueError if the name has another shape."""
    match = FRAME_NAME.match(Path(str(path).replace("\\", "/")).name)
    if not match:
        raise InputError(f"{path}: not a YTF frame name '<video>.<frame>.jpg'")
    return int(match["frame"])


def list_video_frames(root: Path | str) -> dict[str, list[Path]]:
    """Map "name/video" -> frame files sorted by frame number, for a `frame_images_DB` folder.

    Only `.jpg` files are considered; a `.jpg` whose name is not `<video>.<frame>.jpg` for its own
    folder raises ValueError naming the file. Videos without frames are left out.
    """
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"{root}: not a folder (expected frame_images_DB)")
    videos: dict[str, list[Path]] = {}
    for person in sorted(p for p in root.iterdir() if p.is_dir()):
        for video in sorted(v for v in person.iterdir() if v.is_dir()):
            frames = []
            for file in video.iterdir():
                if file.suffix.lower() != ".jpg":
                    continue
                match = FRAME_NAME.match(file.name)
                if not match or match["video"] != video.name:
                    raise InputError(f"{file}: expected '{video.name}.<frame>.jpg'")
                frames.append((int(match["frame"]), file))
            if frames:
                videos[f"{person.name}/{video.name}"] = [f for _, f in sorted(frames)]
    return videos


def read_labeled_faces(path: Path | str) -> dict[str, list[FaceBox]]:
    """Parse `<name>.labeled_faces.txt` into "name/video" -> boxes sorted by frame number."""
    path = Path(path)
    person = path.name.removesuffix(".labeled_faces.txt")
    boxes: dict[str, list[FaceBox]] = {}
    for lineno, line in enumerate(read_lines(path), start=1):
        if not line.strip():
            continue
        fields = [f.strip() for f in line.split(",")]
        try:
            if len(fields) < 6:
                raise ValueError(f"expected 'filename,0,x,y,width,height,...', got {len(fields)} fields")
            parts = fields[0].replace("\\", "/").split("/")
            if len(parts) != 3:
                raise ValueError(f"filename {fields[0]!r} is not 'name\\video\\video.frame.jpg'")
            name, video, file = parts
            if name != person:
                raise ValueError(f"filename {fields[0]!r} belongs to {name!r}, not {person!r}")
            match = FRAME_NAME.match(file)
            if not match or match["video"] != video:
                raise ValueError(f"filename {fields[0]!r} is not 'name\\video\\video.frame.jpg'")
            cx, cy, width, height = finite_floats(fields[2:6], "box x, y, width, height")
            if width <= 0 or height <= 0:
                raise ValueError(f"box size must be positive, got {width} x {height}")
        except ValueError as error:
            raise InputError(f"{path}:{lineno}: {error}") from None
        key = f"{name}/{video}"
        boxes.setdefault(key, []).append(FaceBox(key, int(match["frame"]), f"{key}/{file}", cx, cy, width, height))
    return {key: sorted(b, key=lambda box: box.frame) for key, b in boxes.items()}


def _video(field: str, name: str | None = None) -> str:
    """A "name/video" key from a splits field (a bare video number needs the person's name)."""
    field = field.strip().strip("/")
    if name is not None and "/" not in field:
        field = f"{name.strip()}/{field}"
    parts = field.split("/")
    if len(parts) != 2 or not all(parts):
        raise ValueError(f"video {field!r} is not 'name/video'")
    return field


def read_splits(path: Path | str) -> list[VideoPair]:
    """Parse `splits.txt`: a header line, then `split, pair, name/video, name/video, is_same` rows."""
    path = Path(path)
    pairs: list[VideoPair] = []
    seen_header = False
    for lineno, line in enumerate(read_lines(path), start=1):
        if not line.strip():
            continue
        fields = [f.strip() for f in line.split(",")]
        if not seen_header:
            seen_header = True
            if not fields[0].isdigit():  # the header line; tolerate files without one
                continue
        try:
            if len(fields) == 5:
                video1, video2 = _video(fields[2]), _video(fields[3])
            elif len(fields) == 7:
                video1, video2 = _video(fields[4], fields[2]), _video(fields[5], fields[3])
            else:
                raise ValueError(f"expected 'split, pair, name/video, name/video, is_same', got {len(fields)} fields")
            if not (fields[0].isdigit() and fields[1].isdigit()):
                raise ValueError(f"split and pair number must be integers, got {fields[0]!r}, {fields[1]!r}")
            if fields[-1] not in ("0", "1"):
                raise ValueError(f"is_same must be 0 or 1, got {fields[-1]!r}")
        except ValueError as error:
            raise InputError(f"{path}:{lineno}: {error}: {line!r}") from None
        pairs.append(VideoPair(int(fields[0]), int(fields[1]), video1, video2, fields[-1] == "1", f"{path}:{lineno}"))
    if not pairs:
        raise InputError(f"{path}: no pairs found")
    return pairs
