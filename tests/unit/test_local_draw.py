"""The local backend's drawings: sizes, determinism, stored specs, and a character's colours
carried from its sheet into every keyframe."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from filmc.backends.local import draw

STYLE = "ink-wash fantasy, cinematic, muted greens and storm greys"
ALIN = {"key": "alin", "name": "ALIN", "look": "19-year-old fisherman, lean, sunburnt, short black hair, fierce eyes",
        "wardrobe": "white linen tunic, red sash", "style": STYLE, "ref_sha256": None, "prompt": "", "seed": 1043907881}
MOTHER = {"key": "mother", "name": "MOTHER", "look": "weathered woman in her fifties, grey braid, calm and unafraid",
          "wardrobe": "indigo wrap, shell necklace", "style": STYLE, "seed": 7}
SEA_GOD = {"key": "sea_god", "name": "SEA GOD", "look": "towering figure of dark water, crown of coral, eyes like lanterns",
           "wardrobe": "", "style": STYLE, "seed": 8}
SHORE = {"key": "shore", "name": "SHORE", "look": "black volcanic beach, basalt columns, stormy sea", "lighting": "grey dawn, low cloud",
         "place": "exterior", "light": "dawn", "style": STYLE, "ref_sha256": None, "prompt": "", "seed": 563311850}
KITCHEN = {"key": "kitchen", "name": "KITCHEN", "look": "small kitchen, wooden table", "lighting": "a single lamp", "place": "interior",
           "light": "night", "style": "", "seed": 3}


def shot(framing: str, subjects: list[str], width: int = 860, height: int = 360, **extra) -> dict:
    return {"framing": framing, "subjects": subjects, "speaker": subjects[0] if subjects else None, "caption": "",
            "light": "dawn", "place": "exterior", "lens_mm": None, "take": None, "width": width, "height": height, "fps": 24,
            "prompt": "", "seed": 1801214322, **extra}


def near(image: Image.Image, colour, distance: float = 12) -> int:
    """How many pixels of an image are within `distance` of a colour."""
    pixels = np.asarray(image.convert("RGB"), dtype=np.int32) - np.array(colour, dtype=np.int32)
    return int(((pixels * pixels).sum(axis=2) <= distance * distance).sum())


def opened(path: Path) -> Image.Image:
    """A PNG's pixels, its file closed again."""
    with Image.open(path) as image:
        image.load()
        return image.copy()


def brightness(image: Image.Image) -> float:
    return float(np.asarray(image.convert("L"), dtype=np.float32).mean())


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Sheets and plates rendered once for the module, saved as the backend saves them."""
    folder = tmp_path_factory.mktemp("draw")
    made = {}
    for name, params in (("alin", ALIN), ("mother", MOTHER), ("sea_god", SEA_GOD),
                         ("alin_blue", {**ALIN, "wardrobe": "white linen tunic, blue sash"})):
        made[name] = folder / f"sheet_{name}.png"
        draw.save_png(draw.character_sheet(params), made[name])
    for name, params in (("shore", SHORE), ("kitchen", KITCHEN)):
        made[name] = folder / f"plate_{name}.png"
        draw.save_png(draw.set_plate(params), made[name])
    return made


# --- reading descriptions ---------------------------------------------------------------------

def test_palette_follows_the_words() -> None:
    alin = draw.figure_palette(ALIN)
    assert (alin["accent"], alin["top"]) == (draw.COLOURS["red"], draw.COLOURS["white"])
    assert alin["hair"] == draw.COLOURS["black"] and alin["skin"] == draw.SKIN_WORDS["sunburnt"]
    mother = draw.figure_palette(MOTHER)
    assert (mother["top"], mother["accent"], mother["hair"]) == (draw.COLOURS["indigo"], draw.COLOURS["shell"], draw.COLOURS["grey"])
    spec = draw.figure_spec(MOTHER)
    assert (spec["hair"], spec["accent"], spec["age"], spec["feminine"]) == ("braid", "necklace", 55, True)


def test_non_human_looks_get_an_elemental_figure() -> None:
    god = draw.figure_spec(SEA_GOD)
    assert (god["kind"], god["crown"], god["palette"]["accent"]) == ("water", "coral", draw.COLOURS["coral"])
    assert god["height"] > 1.2
    assert draw.figure_spec({"key": "ember", "look": "a god of flame, eyes like embers"})["kind"] == "fire"
    fish = draw.figure_spec({"key": "big_fish", "name": "BIG FISH", "look": "BIG FISH (40s), a tall man in a rumpled suit, laughs"})
    assert (fish["kind"], fish["age"], fish["top"], fish["accent"], fish["expression"], fish["width"]) == ("human", 45, "suit", "tie", "smile", 1.0)


def test_defaults_come_from_the_key() -> None:
    plain = {"look": "a stranger", "wardrobe": ""}
    first, again = draw.figure_palette({**plain, "key": "a"}), draw.figure_palette({**plain, "key": "a"})
    assert first == again
    assert any(draw.figure_palette({**plain, "key": key}) != first for key in ("b", "c", "d"))


# --- sheets, plates and their stored meta ----------------------------------------------------

def test_sheet_is_deterministic_and_stores_its_figure(files: dict[str, Path]) -> None:
    sheet = draw.character_sheet(ALIN)
    assert sheet.size == draw.SHEET_SIZE and sheet.mode == "RGB"
    assert sheet.tobytes() == opened(files["alin"]).tobytes()  # the fixture's render, made earlier
    meta = draw.load_meta(files["alin"])
    assert meta["figure"]["palette"]["accent"] == list(draw.figure_palette(ALIN)["accent"])
    for role in ("skin", "top", "accent"):  # its swatches and figures show its colours
        assert near(sheet, draw.figure_palette(ALIN)[role], 0) > 5000


def test_meta_round_trip_and_absence(tmp_path: Path) -> None:
    image = Image.new("RGB", (8, 8), (10, 20, 30))
    draw.save_png(image, tmp_path / "with.png", {"task": "x", "n": [1, 2], "nested": {"a": None}})
    assert draw.load_meta(tmp_path / "with.png") == {"task": "x", "n": [1, 2], "nested": {"a": None}}
    image.save(tmp_path / "without.png")
    assert draw.load_meta(tmp_path / "without.png") is None


DEEP = {"key": "deep", "look": "underwater palace of coral and bone, shafts of green light", "lighting": "dim green",
        "place": "exterior", "light": "day", "style": STYLE, "seed": 5}
STREET = {"key": "street", "look": "busy city street", "lighting": "", "place": "exterior", "light": "night", "style": "", "seed": 6}


@pytest.mark.parametrize(("name", "params", "scene"), [("shore", SHORE, "exterior"), ("kitchen", KITCHEN, "interior"),
                                                       ("", DEEP, "underwater"), ("", STREET, "exterior")])
def test_plates(files: dict[str, Path], name: str, params: dict, scene: str, tmp_path: Path) -> None:
    path = files.get(name) or tmp_path / "plate.png"
    if not name:
        draw.save_png(draw.set_plate(params), path)
    plate = opened(path)
    assert plate.size == draw.PLATE_SIZE and plate.mode == "RGB"
    assert brightness(plate) > 25
    meta = draw.load_meta(path)
    assert (meta["scene"], meta["light"], meta["place"]) == (scene, params["light"], params["place"])
    assert 0 < meta["horizon"] <= meta["ground"] < 1


def test_plate_is_deterministic_and_coloured_by_its_words(files: dict[str, Path]) -> None:
    dark = opened(files["shore"])
    assert draw.set_plate(SHORE).tobytes() == dark.tobytes()
    light = draw.set_plate({**SHORE, "look": "white sand beach, basalt columns, stormy sea"})
    bottom = (slice(900, 1024), slice(0, 900))  # beach, clear of the columns
    assert np.asarray(dark)[bottom].mean() + 60 < np.asarray(light)[bottom].mean()


# --- keyframes ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("framing", "width", "height"), [
    ("wide", 1720, 720), ("close", 640, 360), ("medium close-up", 1080, 1080), ("over-the-shoulder", 1920, 804),
    ("extreme wide", 640, 480), ("insert", 864, 360), ("aerial", 502, 360), ("whip pan", 640, 360),
])
def test_keyframe_sizes(files: dict[str, Path], framing: str, width: int, height: int) -> None:
    frame = draw.keyframe(shot(framing, ["alin", "mother"], width, height, caption="Waves hammer the basalt."), files["shore"],
                          {"alin": files["alin"], "mother": files["mother"]})
    assert frame.size == (width, height) and frame.mode == "RGB"
    assert brightness(frame) > 25


def test_keyframe_is_deterministic(files: dict[str, Path]) -> None:
    params = shot("two-shot", ["alin", "sea_god"], caption="The SEA GOD rises.")
    sheets = {"alin": files["alin"], "sea_god": files["sea_god"]}
    assert draw.keyframe(params, files["shore"], sheets).tobytes() == draw.keyframe(params, files["shore"], sheets).tobytes()
    assert draw.keyframe({**params, "seed": 2}, files["shore"], sheets).tobytes() != draw.keyframe(params, files["shore"], sheets).tobytes()


@pytest.mark.parametrize(("framing", "share"), [("extreme wide", 0.00005), ("wide", 0.0004), ("medium", 0.012), ("close", 0.004),
                                                ("two-shot", 0.004), ("over-the-shoulder", 0.002)])
def test_sheet_colours_appear_in_every_shot(files: dict[str, Path], framing: str, share: float) -> None:
    """A character is drawn in its sheet's exact colours, never graded or blurred, in any framing."""
    palette = draw.load_meta(files["alin"])["figure"]["palette"]
    frame = draw.keyframe(shot(framing, ["alin", "sea_god"] if framing in {"two-shot", "over-the-shoulder"} else ["alin"]),
                          files["shore"], {"alin": files["alin"], "sea_god": files["sea_god"]})
    pixels = frame.width * frame.height
    assert near(frame, palette["accent"]) > pixels * share
    assert near(frame, palette["top"]) > pixels * share


def test_keyframe_colours_come_from_the_sheet_file(files: dict[str, Path], tmp_path: Path) -> None:
    """Colours flow through the sheet: a sheet whose stored accent is changed changes the keyframe."""
    meta = draw.load_meta(files["alin"])
    meta["figure"]["palette"]["accent"] = [20, 200, 30]
    edited = tmp_path / "edited.png"
    draw.save_png(opened(files["alin"]), edited, meta)
    frame = draw.keyframe(shot("medium", ["alin"]), files["shore"], {"alin": edited})
    assert near(frame, (20, 200, 30)) > 1000 and near(frame, draw.COLOURS["red"]) < 50


def test_a_wardrobe_change_changes_the_accent(files: dict[str, Path]) -> None:
    red, blue = draw.COLOURS["red"], draw.COLOURS["blue"]
    assert draw.figure_palette({**ALIN, "wardrobe": "white linen tunic, blue sash"})["accent"] == blue
    before = draw.keyframe(shot("medium", ["alin"]), files["shore"], {"alin": files["alin"]})
    after = draw.keyframe(shot("medium", ["alin"]), files["shore"], {"alin": files["alin_blue"]})
    assert near(before, red) > 3000 and near(before, blue) < 50
    assert near(after, blue) > 3000 and near(after, red) < 50
    assert near(before, draw.figure_palette(ALIN)["top"]) == pytest.approx(near(after, draw.figure_palette(ALIN)["top"]), rel=0.02)


def test_the_caption_poses_the_cast(files: dict[str, Path]) -> None:
    sheets = {"alin": files["alin"]}
    still = draw.keyframe(shot("medium", ["alin"], caption="ALIN waits."), files["shore"], sheets)
    raised = draw.keyframe(shot("medium", ["alin"], caption="ALIN lifts both hands."), files["shore"], sheets)
    skin = draw.figure_palette(ALIN)["skin"]
    above_the_head = (0, 0, 860, 110)
    assert near(raised.crop(above_the_head), skin) > near(still.crop(above_the_head), skin) + 500
    assert near(raised, draw.figure_palette(ALIN)["accent"]) > 3000


def test_missing_plate_and_sheet_still_render(files: dict[str, Path]) -> None:
    for light in ("dawn", "day", "dusk", "night"):
        frame = draw.keyframe(shot("medium", ["nobody"], light=light, caption="A stranger waits."), None, {})
        assert frame.size == (860, 360) and brightness(frame) > 25
    assert draw.keyframe(shot("wide", []), None, {}).size == (860, 360)


def test_a_sheet_without_a_spec_is_cut_out(files: dict[str, Path], tmp_path: Path) -> None:
    plain = tmp_path / "plain.png"
    opened(files["alin"]).save(plain)
    frame = draw.keyframe(shot("medium", ["alin"]), files["shore"], {"alin": plain})
    assert near(frame, draw.figure_palette(ALIN)["accent"], 20) > 1000


def test_night_is_not_black(files: dict[str, Path]) -> None:
    frame = draw.keyframe(shot("wide", ["mother"], light="night", place="interior"), files["kitchen"], {"mother": files["mother"]})
    assert brightness(frame) > 25


def test_caption_sits_at_the_top_and_leaves_the_bottom_free() -> None:
    band = np.asarray(draw.caption("Waves hammer the basalt. " * 12, 640, 360))
    rows = np.flatnonzero(band[:, :, 3].max(axis=1) > 0)
    assert rows.size and rows.min() == 0 and rows.max() < 360 * 0.2
    assert not np.asarray(draw.caption("  ", 640, 360))[:, :, 3].any()


# --- cards and subtitles -----------------------------------------------------------------------

TITLE = {"card": "title", "title": {"title": ["Splitting the Waves"], "credit": ["written by"], "author": ["The filmc team"],
                                    "source": ["after a folk tale"]}, "duration_s": 3.0, "fps": 24}
CREDITS = {"card": "credits", "generators": {"image": "local", "video": "local", "speech": "local", "music": "local", "edit": "local"},
           "title": "Splitting the Waves"}


@pytest.mark.parametrize("size", [(640, 360), (1720, 720)])
@pytest.mark.parametrize("make", [lambda p: draw.title_card({**TITLE, **p}), lambda p: draw.credits_card({**CREDITS, **p}),
                                  lambda p: draw.text_card({"card": "text", "text": "THE END", **p})])
def test_cards(make, size: tuple[int, int]) -> None:
    params = {"width": size[0], "height": size[1]}
    card = make(params)
    assert card.size == size and card.mode == "RGB"
    assert card.tobytes() == make(params).tobytes()
    assert near(card, draw.CARD_INK, 30) > size[0] * size[1] * 0.001  # its text is there


def test_credits_name_each_generator() -> None:
    local = draw.credits_card({**CREDITS, "width": 640, "height": 360})
    other = draw.credits_card({**CREDITS, "generators": {**CREDITS["generators"], "video": "kling"}, "width": 640, "height": 360})
    assert local.tobytes() != other.tobytes()


def test_subtitle() -> None:
    layer = draw.subtitle("She belongs to the tide now, boy. " * 6, 1720, 720)
    assert layer.size == (1720, 720) and layer.mode == "RGBA"
    alpha = np.asarray(layer)[..., 3]
    assert alpha[: int(720 * 0.75)].max() == 0  # nothing above the bottom quarter
    white = np.asarray(layer)[..., :3].min(axis=2) > 240
    assert (white & (alpha == 255)).sum() > 2000
    assert draw.subtitle("", 640, 360).getbbox() is None


def test_sizes_are_even() -> None:
    assert draw.text_card({"card": "text", "text": "x", "width": 641, "height": 361}).size == (640, 360)
    assert draw.subtitle("x", 641, 361).size == (640, 360)


def test_fonts() -> None:
    assert draw.font(20, "bold italic").getlength("filmc") > 0
    with pytest.raises(ValueError):
        draw.font(20, "heavy")


@pytest.mark.parametrize("size", [(202, 360), (640, 360), (406, 720)])
def test_the_credits_fit_the_frame_whatever_its_shape(size: tuple[int, int]) -> None:
    width, height = size
    card = np.asarray(draw.credits_card({"card": "credits", "width": width, "height": height,
                                         "generators": dict.fromkeys(("image", "video", "speech", "music", "edit"), "local")}))
    edges = np.concatenate([card[:, :3], card[:, -3:]], axis=1)
    assert edges.max() < 90  # no letter runs off either side
    assert card[:, width // 3:2 * width // 3].max() > 180  # and there is text


def test_an_insert_shows_the_detail_of_the_set_and_nobody(files: dict[str, Path]) -> None:
    sheets = {"alin": files["alin"]}
    insert = np.asarray(draw.keyframe(shot("insert", ["alin"]), files["shore"], sheets))
    empty = np.asarray(draw.keyframe(shot("insert", []), files["shore"], {}))
    close = np.asarray(draw.keyframe(shot("extreme close", ["alin"]), files["shore"], sheets))
    assert np.array_equal(insert, empty)  # the subjects of an insert are not drawn
    assert not np.array_equal(insert, close)


@pytest.mark.parametrize("wardrobe", ["ash-grey tunic, gold fire-god armband", "grey tunic, gold bracelet"])
def test_a_coloured_armband_or_bracelet_is_the_accent(wardrobe: str) -> None:
    for look in ("lean fisherman", "19-year-old fisherman, lean, sunburnt, short black hair, fierce eyes"):
        accent = draw.figure_palette({"key": "alin", "name": "ALIN", "look": look, "wardrobe": wardrobe})["accent"]
        red, green, blue = accent
        assert red > 180 and 120 < green < 200 and blue < 90, accent  # gold, whatever the look
