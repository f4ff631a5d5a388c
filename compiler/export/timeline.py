"""The film's edit as an OpenTimelineIO timeline, for finishing it in an NLE.

Tracks:
- `Picture`: one clip per segment of the film, in order: the title card, each shot (named
  `1.2 wide`, with its scene, heading and source line in the clip's `filmc` metadata), the end
  card. Each clip is the shot as filmc rendered it (transitions, captions and its sound mix in).
- `Dialogue` (more than one track where lines overlap): each voice line at the time the film
  plays it, as a stem for re-mixing.
- `Music`: each music cue where it starts.

Times are in frames of the film's rate; a clip lasts as many frames as its segment in the
rendered film. The media are copied out of the build cache into a folder beside the timeline
(`NAME_media/`, with readable names) so the project survives a cache clean; media not built
yet are missing references, and `write` says how many. `edl` (CMX 3600) and `fcpxml` (Final
Cut Pro X) go through OpenTimelineIO's adapters; an EDL holds the picture track only.
"""

from __future__ import annotations

import filecmp
import shutil
from pathlib import Path

import opentimelineio as otio

from ...backends.base import frames
from ..build import Prepared
from ..plan import shot_tasks
from . import heading, names

ADAPTERS = {"otio": "otio_json", "edl": "cmx_3600", "fcpxml": "fcpx_xml"}
# The frame rates OpenTimelineIO's FCP X adapter can write.
FCPXML_RATES = (24, 25, 30, 50, 60)
# The frame rates of SMPTE timecode (whole ones: filmc renders at a whole number a second).
EDL_RATES = (24, 25, 30, 48, 50, 60)


class ExportError(Exception):
    """A timeline that cannot be written in the asked format (the message says why)."""


def timeline(prepared: Prepared, media: Path | None) -> tuple[otio.schema.Timeline, list[str], list[tuple[Path, Path]]]:
    """The timeline, warnings for the user, and the media to copy (from the cache, to) for its
    references to hold. `media` is the folder they go to (None: the timeline references the
    cache, for a timeline that is only looked at)."""
    plan, cache = prepared.plan, prepared.cache
    graph = plan.graph
    film = graph.tasks[graph.outputs[0]]
    fps = plan.fps
    rate = float(fps)
    missing: list[str] = []
    copies: list[tuple[Path, Path]] = []

    def reference(task_id: str, name: str, length: int) -> otio.core.MediaReference:
        task = graph.tasks[task_id]
        entry = cache.get(task.key)
        if entry is None or not cache.blob(entry).is_file():
            missing.append(task_id)
            return otio.schema.MissingReference(name=task_id)
        source = cache.blob(entry)
        if media is not None:
            copies.append((source, media / (name + entry.suffix)))
            source = copies[-1][1]
        return otio.schema.ExternalReference(target_url=source.resolve().as_uri(),
                                             available_range=_range(0, length, rate))

    picture = otio.schema.Track(name="Picture", kind=otio.schema.TrackKind.Video)
    voices: list[tuple[int, int, str, str, dict]] = []  # start, length, task, name, metadata
    at = 0
    segments = [source for role, source in film.inputs if role.startswith("segment:")]
    # The shots, in the film's order (a merged segment's own `shot` names only one of them).
    shots = dict(enumerate((own.shot for own in shot_tasks(plan)), 1 if segments[:1] == ["title"] else 0))
    for n, segment_id in enumerate(segments):
        segment = graph.tasks[segment_id]
        length = frames(float(segment.params["duration_s"]), fps)
        shot = shots.get(n)
        if shot is None:
            name = f"{segment_id} card"
            meta = {"card": segment_id}
            reel = segment_id.upper()[:8]
        else:
            name = f"{shot.id} {shot.framing}" + (f" on {', '.join(names(prepared, shot))}" if shot.subjects else "")
            reel = "S" + shot.id.replace(".", "_")[:7]
            meta = {
                "shot": shot.id, "scene": shot.scene, "heading": heading(prepared, shot),
                "source": f"{shot.span.file}:{shot.span.line}", "framing": shot.framing, "move": shot.move,
                "duration_s": shot.duration_s, "action": shot.action,
            }
            inputs = dict(segment.inputs)
            for line in segment.params.get("lines", []):
                role_name = line["role"]
                if not role_name.startswith("line:"):
                    continue  # a line running on from an earlier shot is placed there
                speech = shot.speeches[int(role_name.split(":")[1]) - 1]
                start = at + round(float(line["offset_s"]) * fps)
                voices.append((start, frames(speech.duration_s, fps), inputs[role_name],
                               f"{speech.name}: {_short(speech.text)}",
                               {"shot": shot.id, "character": speech.name, "text": speech.text}))
        clip = otio.schema.Clip(name=_label(name), media_reference=reference(segment_id, _file_name(segment_id), length),
                                source_range=_range(0, length, rate),
                                metadata={"filmc": meta, "cmx_3600": {"reel": reel}})
        picture.append(clip)
        at += length
    tracks = [picture]
    for n, track in enumerate(_lanes(voices), 1):
        tracks.append(_audio_track(f"Dialogue {n}" if n > 1 else "Dialogue", track, reference, rate))
    inputs = dict(film.inputs)
    cues = [(round(float(m["start_s"]) * fps), frames(float(m["duration_s"]), fps), inputs[m["role"]],
             f"music {m['role'].split(':')[1]}", {"cue": m["role"]}) for m in film.params.get("music", [])]
    for n, track in enumerate(_lanes(cues), 1):
        tracks.append(_audio_track(f"Music {n}" if n > 1 else "Music", track, reference, rate))
    title = prepared.result.film.settings.title or prepared.script.stem
    result = otio.schema.Timeline(name=title, global_start_time=otio.opentime.RationalTime(0, rate),
                                  metadata={"filmc": {"script": str(prepared.script), "fps": fps,
                                                      "runtime_s": plan.runtime_s}})
    result.tracks.extend(tracks)
    warnings = []
    if missing:
        warnings.append(f"{len(missing)} of the timeline's media are not built yet (missing references): "
                        f"run `filmc build {prepared.script}`{' --draft' if prepared.options.draft else ''} first")
    return result, warnings, copies


def write(prepared: Prepared, kind: str, out: Path | None) -> tuple[str, list[str], list[tuple[Path, Path]]]:
    """The timeline as the kind's text (written by the caller), warnings, and the media to copy
    beside it (`copy_media`) into `NAME_media/` (an EDL names reels, not files: none)."""
    fps = prepared.plan.fps
    rates = FCPXML_RATES if kind == "fcpxml" else EDL_RATES if kind == "edl" else None
    if rates is not None and fps not in rates:
        what = "Final Cut Pro XML" if kind == "fcpxml" else "An EDL's timecode"
        raise ExportError(f"{what} runs at {', '.join(map(str, rates))} fps, and this "
                          f"{'draft ' if prepared.options.draft else ''}film runs at {fps} fps; "
                          + ("export the full build (without --draft), or use --to otio" if prepared.options.draft
                             else "set [output] fps in film.toml, or use --to otio"))
    media = out.with_name(out.stem + "_media") if out is not None and kind != "edl" else None
    result, warnings, copies = timeline(prepared, media)
    if kind == "fcpxml" and warnings:
        raise ExportError(f"Final Cut Pro XML needs every clip's media: run `filmc build {prepared.script}` first")
    if kind == "edl":
        # CMX 3600 lists one picture track.
        for track in list(result.tracks):
            if track.kind != otio.schema.TrackKind.Video:
                result.tracks.remove(track)
    try:
        text = otio.adapters.write_to_string(result, adapter_name=ADAPTERS[kind])
    except Exception as exc:  # noqa: BLE001 - an adapter's refusal, whatever its type
        raise ExportError(f"OpenTimelineIO's {ADAPTERS[kind]} adapter could not write this timeline: {exc}") from None
    return text, warnings, copies


def copy_media(copies: list[tuple[Path, Path]], may_replace, record) -> None:
    """Copy the media out of the cache: a file already there with other bytes is replaced only
    if `may_replace(path)` (filmc wrote it, or --force); `record(path)` notes each one written."""
    refused = [target for source, target in copies
               if target.exists() and not (target.is_file() and filecmp.cmp(source, target, shallow=False))
               and not may_replace(target)]
    if refused:
        raise ExportError(f"`{refused[0]}` exists and filmc did not write it; use --force to overwrite it, "
                          "or -o to write the timeline (and its media folder) elsewhere")
    for source, target in copies:
        if not target.is_file() or not filecmp.cmp(source, target, shallow=False):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            record(target)


def _audio_track(name: str, items, reference, rate: float) -> otio.schema.Track:
    track = otio.schema.Track(name=name, kind=otio.schema.TrackKind.Audio)
    at = 0
    for start, length, task_id, label, meta in items:
        if start > at:
            track.append(otio.schema.Gap(source_range=_range(0, start - at, rate)))
        track.append(otio.schema.Clip(name=_label(label), media_reference=reference(task_id, _file_name(task_id), length),
                                      source_range=_range(0, length, rate), metadata={"filmc": meta}))
        at = start + length
    return track


def _lanes(items: list[tuple]) -> list[list[tuple]]:
    """Items (start, length, ...) spread over as few tracks as keep each free of overlaps."""
    lanes: list[list[tuple]] = []
    for item in sorted(items, key=lambda i: (i[0], i[2])):
        for lane in lanes:
            if lane[-1][0] + lane[-1][1] <= item[0]:
                lane.append(item)
                break
        else:
            lanes.append([item])
    return lanes


def _range(start: int, length: int, rate: float) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(otio.opentime.RationalTime(start, rate), otio.opentime.RationalTime(length, rate))


def _file_name(task_id: str) -> str:
    """`shot/1.2/segment` → `shot-1.2`, `shot/1.2/line/1` → `line-1.2-1`, `music/3` → `music-3`."""
    parts = task_id.split("/")
    if parts[0] == "shot" and len(parts) >= 3:
        return "-".join([parts[2] if parts[2] != "segment" else "shot", parts[1], *parts[3:]])
    return "-".join(parts)


def _label(text: str) -> str:
    """A clip's name with a typographic apostrophe: OTIO's FCP X adapter looks clips up by
    name in an XPath quoted with `'`, which a plain one would end."""
    return text.replace("'", "\u2019")


def _short(text: str, width: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
