"""ComfyUI: pictures and clips from node-graph workflows on a ComfyUI server (yours, local or remote).

    POST /upload/image  multipart {image, type: input, overwrite: true} → {name, subfolder, type}
    POST /prompt {prompt: <API-format graph>, client_id, prompt_id}
      → {prompt_id, number, node_errors}; an invalid graph → 400 {error: {type, message, details,
        extra_info}, node_errors: {node_id: {errors: [...], class_type, dependent_outputs}}}
    GET /history/{prompt_id} → {} until done, then {prompt_id: {outputs: {node_id: {images: [
        {filename, subfolder, type}], ...}}, status: {status_str: success | error, messages}}}
    GET /queue → {queue_running: [[number, prompt_id, ...]], queue_pending: [...]}
    POST /queue {delete: [prompt_id]} drops a waiting job; POST /interrupt {prompt_id} stops it running
    GET /view?filename=&subfolder=&type=output → the file

Each task kind is made by a workflow: a jinja2 template of a graph in ComfyUI's API format
(`stdlib/comfyui/`: Flux Kontext for pictures, taking the sheets and plate as reference latents;
Wan 2.2 first-last-frame for clips), or the project's own, named in film.toml's
`workflows` table. A template is rendered in jinja2's sandbox with strict undefined, then parsed
as JSON; what it reads decides what this backend declares (a clip workflow that never reads
`last_frame` is not sent one, and one that reads no `first_frame` makes no keyframes needed).

The input pictures are uploaded under names made from their SHA-256, so a sheet used by twenty
keyframes is sent once. The job's id is chosen here (a UUID from the job and a random number
drawn once per backend), so a submit whose answer was lost can be sent again: if the server took
the first, the second finds it. Identical graphs cost nothing twice: ComfyUI caches every node
whose inputs did not change. ComfyUI has no credentials; `token_env` names a variable holding a
bearer token for a server behind an authenticating proxy.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import secrets
import urllib.parse
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

import httpx
import jinja2
import jinja2.meta
from jinja2.sandbox import SandboxedEnvironment

from ..base import BackendError, Capabilities, Job
from .client import ServiceBackend
from .files import sniff, still_of

KINDS = ("character_sheet", "set_plate", "keyframe", "clip")
IMAGE_KINDS = frozenset({"character_sheet", "set_plate", "keyframe"})
# The standard library's workflow for each kind (stdlib/comfyui/).
STDLIB = {"character_sheet": "image.json.j2", "set_plate": "image.json.j2", "keyframe": "image.json.j2",
          "clip": "clip.json.j2"}

# Template variables filmc sets; `vars` may add others but not shadow these.
BUILTIN_VARS = frozenset({
    "kind", "prompt", "negative_prompt", "seed", "width", "height", "length", "fps", "duration_s",
    "film_width", "film_height", "film_fps", "first_frame", "last_frame", "plate", "sheets",
    "reference_images", "filename_prefix", "params",
})
# What the standard workflows read (model files as ComfyUI's model folders name them, and sampling).
DEFAULT_VARS: dict[str, Any] = {
    "image_model": "flux1-dev-kontext_fp8_scaled.safetensors",
    "image_clip_l": "clip_l.safetensors",
    "image_t5": "t5xxl_fp8_e4m3fn_scaled.safetensors",
    "image_vae": "ae.safetensors",
    "image_steps": 20,
    "image_guidance": 2.5,
    "image_sampler": "euler",
    "image_scheduler": "simple",
    "max_reference_images": 3,
    "video_high_noise_model": "wan2.2_i2v_high_noise_14B_fp8_scaled.safetensors",
    "video_low_noise_model": "wan2.2_i2v_low_noise_14B_fp8_scaled.safetensors",
    "video_text_encoder": "umt5_xxl_fp8_e4m3fn_scaled.safetensors",
    "video_vae": "wan_2.1_vae.safetensors",
    "video_steps": 20,
    "video_cfg": 3.5,
    "video_shift": 8.0,
    "video_sampler": "euler",
    "video_scheduler": "simple",
}
DEFAULT_NEGATIVE = "blurry, low quality, distorted faces, deformed hands, watermark, text, subtitles, static frame"

_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")
_VIDEO_SUFFIXES = (".mp4", ".webm", ".mov", ".mkv")
# Polls in a row that find the job neither in the history nor in the queue before giving up on it.
_LOST_AFTER = 3


@dataclass(frozen=True)
class Workflow:
    """One workflow template: where it came from, its text's SHA-256 (in every task key) and
    the variables it reads."""

    label: str
    source: str
    sha256: str
    template: jinja2.Template
    reads: frozenset[str]

    def render(self, context: Mapping[str, Any]) -> dict[str, Any]:
        """The API-format graph for one job; a BackendError naming the template and line."""
        try:
            text = self.template.render(dict(context))
        except Exception as exc:  # noqa: BLE001 - a project's template may fail any way
            message = str(exc) if isinstance(exc, jinja2.TemplateError) else f"{type(exc).__name__}: {exc}"
            raise BackendError(f"the ComfyUI workflow {self.label}:{_line_of(exc, self.template)}: {message}") from None
        return parse_graph(text, self.label)


class ComfyUIBackend(ServiceBackend):
    title = "ComfyUI"
    version = "1"
    DEFAULT_URL = "http://127.0.0.1:8188"
    CREDENTIALS: ClassVar[tuple[str, ...]] = ()
    # What the standard workflows make; an instance narrows it to its own (`kinds`, what its
    # workflows read).
    capabilities = Capabilities(
        produces=frozenset({"image", "video"}), max_clip_s=5.0, reference_images=True, seeds=True,
        first_frame=True, last_frame=True,
    )
    DEFAULTS = {**ServiceBackend.DEFAULTS, "poll_s": 1.0, "max_wait_s": 3600.0}
    # Which workflow files and kinds, and the token: how to run. A workflow's text is in the
    # key (`identity`), not its path.
    SCHEDULING = ServiceBackend.SCHEDULING | {"workflows", "kinds", "token_env"}

    def __init__(self, settings=None) -> None:
        super().__init__(settings)
        where = f"[backend.{self.name}]"
        kinds = self.settings.get("kinds", list(KINDS))
        if not isinstance(kinds, list) or not kinds or any(k not in KINDS for k in kinds):
            raise ValueError(f"{where} `kinds` must be a list of some of {', '.join(KINDS)}, not {kinds!r}")
        self._kinds = frozenset(kinds)
        workflows = self.settings.get("workflows", {})
        if not isinstance(workflows, dict) or any(k not in KINDS or not isinstance(v, str) or not v
                                                  for k, v in workflows.items()):
            raise ValueError(f"{where} `workflows` must be a table of task kinds ({', '.join(KINDS)}) to template "
                             "files, like `workflows.clip = \"workflows/clip.json.j2\"`")
        own_vars = self.settings.get("vars", {})
        if not isinstance(own_vars, dict):
            raise ValueError(f"{where} `vars` must be a table of template variables, like `vars.image_steps = 28`")
        clash = sorted(set(own_vars) & BUILTIN_VARS)
        if clash:
            raise ValueError(f"{where} `vars` cannot set {', '.join(f'`{c}`' for c in clash)}: filmc sets it for each task")
        self.vars = {**DEFAULT_VARS, **own_vars}
        self.negative_prompt = self.settings.get("negative_prompt", DEFAULT_NEGATIVE)
        if not isinstance(self.negative_prompt, str):
            raise ValueError(f"{where} `negative_prompt` must be text")
        self.video_fps = _number(self.settings, "video_fps", 16, where, minimum=1)
        self.length_step = int(_number(self.settings, "length_step", 4, where, minimum=1, whole=True))
        self.max_clip_s = _number(self.settings, "max_clip_s", 5.0, where, minimum=0.1)
        self.multiple = int(_number(self.settings, "size_multiple", 16, where, minimum=1, whole=True))
        self.max_image_pixels = _number(self.settings, "max_image_pixels", 1024 * 1024, where, minimum=4096)
        self.max_video_pixels = _number(self.settings, "max_video_pixels", 1280 * 720, where, minimum=4096)
        self.sheet_size = _size(self.settings, "sheet_size", (1024, 1024), where)
        self.plate_size = _size(self.settings, "plate_size", (1344, 768), where)
        self.token_env = self.settings.get("token_env")
        if self.token_env is not None and (not isinstance(self.token_env, str) or not self.token_env):
            raise ValueError(f"{where} `token_env` must name an environment variable, like \"COMFYUI_TOKEN\"")
        self.env = _environment()
        self.workflows = {kind: self._stdlib(STDLIB[kind]) for kind in KINDS}
        self.capabilities = self._declare()
        # Per instance: a random part of every job id (two builds never reuse one), the client
        # id ComfyUI files the jobs under, and the pictures already on the server.
        self._nonce = secrets.token_hex(16)
        self.client_id = uuid.uuid4().hex
        self._attempts: dict[str, int] = {}
        self._uploaded: dict[tuple[str, str], str] = {}

    # ---- settings ------------------------------------------------------------------------

    def setup(self, root: Path) -> None:
        """Read the project's workflows (relative to the project folder), and try each on
        sample values, so a broken one is reported before anything is built."""
        for kind, rel in sorted(self.settings.get("workflows", {}).items()):
            where = f"[backend.{self.name}] `workflows.{kind}`"
            path = (root / rel)
            if not path.is_file():
                raise ValueError(f"{where}: there is no file {rel} in the project folder")
            if not path.resolve().is_relative_to(root.resolve()):
                raise ValueError(f"{where}: {rel} leads outside the project folder, so filmc does not read it")
            try:
                source = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise ValueError(f"{where}: {rel} cannot be read: {exc}") from None
            workflow = self._compile(rel, source, str(path), where)
            try:
                workflow.render(self._sample_context(kind))
            except BackendError as exc:
                raise ValueError(f"{where}: {exc}") from None
            self.workflows[kind] = workflow
        self.capabilities = self._declare()

    def kinds(self) -> frozenset[str]:
        return self._kinds

    def identity(self) -> dict[str, Any]:
        """The settings that shape the output, and the SHA-256 of the workflow of every kind
        this backend makes: editing a workflow re-makes what it made."""
        found = super().identity()
        found["workflows"] = {kind: self.workflows[kind].sha256 for kind in sorted(self._kinds)}
        return found

    def unavailable(self) -> str | None:
        if self.token_env and not os.environ.get(self.token_env):
            return f"set {self.token_env} in the environment (token_env of [backend.{self.name}])"
        return None

    def auth_headers(self) -> dict[str, str]:
        token = os.environ.get(self.token_env, "") if self.token_env else ""
        return {"Authorization": f"Bearer {token}"} if token else {}

    def extra_secrets(self) -> list[str]:
        return [os.environ.get(self.token_env, "")] if self.token_env else []

    def explain(self, response: httpx.Response) -> str:
        """ComfyUI's error envelope in a line: its message, its details and each node's errors."""
        try:
            body = response.json()
        except ValueError:
            return super().explain(response)
        if isinstance(body, dict) and "error" in body:
            return describe_refusal(body)
        return super().explain(response)

    def _declare(self) -> Capabilities:
        """What this instance makes, from its kinds and what their workflows read."""
        images = [self.workflows[k] for k in sorted(self._kinds & IMAGE_KINDS)]
        clip = self.workflows["clip"] if "clip" in self._kinds else None
        everything = images + ([clip] if clip else [])
        produces = ({"image"} if images else set()) | ({"video"} if clip else set())
        return Capabilities(
            produces=frozenset(produces), max_clip_s=self.max_clip_s if clip else None,
            reference_images=any(w.reads & {"reference_images", "sheets", "plate"} for w in everything),
            seeds=any("seed" in w.reads for w in everything),
            first_frame=bool(clip and "first_frame" in clip.reads),
            last_frame=bool(clip and "last_frame" in clip.reads),
        )

    def _stdlib(self, name: str) -> Workflow:
        source = resources.files("filmc.stdlib").joinpath("comfyui", name).read_text(encoding="utf-8")
        return self._compile(f"stdlib/comfyui/{name}", source, f"stdlib/comfyui/{name}", "filmc's standard library")

    def _compile(self, label: str, source: str, filename: str, where: str) -> Workflow:
        try:
            parsed = self.env.parse(source, name=label, filename=filename)
            code = self.env.compile(source, name=label, filename=filename)
        except jinja2.TemplateSyntaxError as exc:
            raise ValueError(f"{where}: {label}:{exc.lineno}: {exc.message}") from None
        template = self.env.template_class.from_code(self.env, code, self.env.make_globals(None))
        reads = frozenset(jinja2.meta.find_undeclared_variables(parsed))
        return Workflow(label, source, hashlib.sha256(source.encode()).hexdigest(), template, reads)

    # ---- one task ------------------------------------------------------------------------

    async def make(self, job: Job) -> Path:
        workflow = self.workflows[job.kind]
        images = await self._upload_inputs(job, workflow)
        prompt_id = self._prompt_id(job, images)
        graph = workflow.render(self.context(job, images, prompt_id))
        what = _kind_name(job.kind)
        lost = 0

        async def cancel() -> None:
            queue = (await self.request("GET", "/queue", what=f"cancel the {what}")).json()
            if _queued(queue, "queue_pending", prompt_id) is not None:
                await self.request("POST", "/queue", what=f"cancel the {what}", idempotent=True,
                                   json={"delete": [prompt_id]})
            elif _queued(queue, "queue_running", prompt_id) is not None:
                await self.request("POST", "/interrupt", what=f"cancel the {what}", idempotent=True,
                                   json={"prompt_id": prompt_id})

        async def check() -> dict[str, Any] | None:
            nonlocal lost
            answer = (await self.request("GET", f"/history/{prompt_id}", what=f"check on the {what}")).json()
            entry = answer.get(prompt_id) if isinstance(answer, dict) else None
            if isinstance(entry, dict):
                return entry
            queue = (await self.request("GET", "/queue", what=f"check on the {what}")).json()
            state = queue_state(queue, prompt_id)
            if state is None:
                # Finished between the two requests (the next poll finds it), or gone: the
                # server restarted, or someone cleared its queue.
                lost += 1
                if lost >= _LOST_AFTER:
                    raise BackendError(f"ComfyUI has no record of the {what} any more (was the server restarted, "
                                       "or its queue cleared?)")
                return None
            lost = 0
            job.tell(state)
            return None

        async with self.remote(cancel):
            accepted = await self._submit(graph, prompt_id, workflow, what)
            entry = await self.poll(check, what)
            return await self._fetch(entry, job, workflow, accepted)

    def context(self, job: Job, images: Mapping[str, Any], prompt_id: str) -> dict[str, Any]:
        """The variables a workflow is rendered with, for one job."""
        params = job.params
        film_w, film_h = params.get("width"), params.get("height")
        if job.kind == "character_sheet":
            width, height = self.sheet_size
        elif job.kind == "set_plate":
            width, height = self.plate_size
        else:
            cap = self.max_video_pixels if job.kind == "clip" else self.max_image_pixels
            width, height = fit(int(film_w or 1024), int(film_h or 576), cap, self.multiple)
        duration = float(params.get("duration_s", 0.0) or 0.0)
        seed = job.seed if job.seed is not None else int.from_bytes(hashlib.sha256(job.task_id.encode()).digest()[:6], "big")
        return {
            **self.vars,
            "kind": job.kind,
            "prompt": str(params.get("prompt", "")),
            "negative_prompt": str(params.get("negative_prompt") or self.negative_prompt),
            "seed": seed % 2**53,
            "width": width, "height": height,
            "length": clip_length(duration, self.video_fps, self.length_step) if job.kind == "clip" else 1,
            "fps": self.video_fps,
            "duration_s": duration,
            "film_width": film_w, "film_height": film_h, "film_fps": params.get("fps"),
            "first_frame": images.get("first_frame"),
            "last_frame": images.get("last_frame"),
            "plate": images.get("plate"),
            "sheets": list(images.get("sheets", [])),
            "reference_images": list(images.get("reference_images", [])),
            "filename_prefix": f"filmc/{job.kind}-{prompt_id[:8]}",
            "params": dict(params),
        }

    def _sample_context(self, kind: str) -> dict[str, Any]:
        """Values to try a project's workflow on in `setup`: every picture given."""
        job = Job(task_id=f"sample/{kind}", kind=kind, workdir=Path("."), seed=1, inputs={},
                  params={"prompt": "A sample prompt.", "width": 1280, "height": 720, "fps": 24, "duration_s": 4.0})
        images = {"first_frame": "filmc-sample-first.png", "last_frame": "filmc-sample-last.png",
                  "plate": "filmc-sample-plate.png", "sheets": ["filmc-sample-sheet.png"],
                  "reference_images": ["filmc-sample-sheet.png", "filmc-sample-plate.png"]}
        return self.context(job, images, "00000000-0000-4000-8000-000000000000")

    async def _upload_inputs(self, job: Job, workflow: Workflow) -> dict[str, Any]:
        """Send the job's pictures that its workflow reads; their names on the server."""
        reads = workflow.reads
        found: dict[str, Any] = {}
        if "first_frame" in reads:
            first = job.inputs.get("first_frame")
            if first is None and "previous" in job.inputs:
                # A later part of a split shot: it goes on from where the part before it ends.
                still = await still_of(job.inputs["previous"], job.workdir / ".previous-end.png")
                try:
                    found["first_frame"] = await self.upload(still, "end of the previous clip")
                finally:
                    still.unlink(missing_ok=True)
            elif first is not None:
                found["first_frame"] = await self.upload(first, "first frame")
        if "last_frame" in reads and "last_frame" in job.inputs:
            found["last_frame"] = await self.upload(job.inputs["last_frame"], "last frame")
        if reads & {"reference_images", "sheets", "plate"}:
            subjects = [str(s) for s in job.params.get("subjects") or []]
            roles = sorted((r for r in job.inputs if r.startswith("sheet:")),
                           key=lambda r: subjects.index(r[6:]) if r[6:] in subjects else len(subjects))
            sheets = [await self.upload(job.inputs[r], f"sheet of {r[6:]}") for r in roles]
            plate = await self.upload(job.inputs["plate"], "set plate") if "plate" in job.inputs else None
            refs = [await self.upload(path, f"reference {name}") for name, path in sorted(job.references.items())]
            found.update(sheets=sheets, plate=plate, reference_images=sheets + ([plate] if plate else []) + refs)
        return found

    async def upload(self, path: Path, what: str) -> str:
        """Put a picture in the server's input folder under a name made from its SHA-256 (once
        per backend: the same sheet for many keyframes is sent once); the name LoadImage takes."""
        data = path.read_bytes()
        kind = sniff(data[:16])
        if kind is None or kind[0] != "image":
            raise BackendError(f"the {what} ({path.name}) is not a picture ComfyUI can load")
        digest = hashlib.sha256(data).hexdigest()
        known = self._uploaded.get((self.base_url, digest))
        if known is not None:
            return known
        name = f"filmc-{digest[:32]}{kind[1]}"
        body, content_type = form({"type": "input", "overwrite": "true"}, "image", name, data, kind[2])
        response = await self.request("POST", "/upload/image", what=f"upload the {what}", idempotent=True,
                                      content=body, headers={"Content-Type": content_type})
        try:
            body = response.json()
        except ValueError:
            body = {}
        stored = str(body.get("name") or name) if isinstance(body, dict) else name
        subfolder = str(body.get("subfolder") or "") if isinstance(body, dict) else ""
        ref = f"{subfolder}/{stored}" if subfolder else stored
        self._uploaded[(self.base_url, digest)] = ref
        return ref

    def _prompt_id(self, job: Job, images: Mapping[str, Any]) -> str:
        """A UUID for this try of this job: the same for every resend of its submit, new for the
        next try and for another backend instance."""
        what = json.dumps([job.kind, job.task_id, job.params, job.seed, images], sort_keys=True, default=str)
        base = hashlib.sha256(f"{self._nonce}\n{what}".encode()).hexdigest()
        attempt = self._attempts.get(base, 0)
        self._attempts[base] = attempt + 1
        digest = hashlib.sha256(f"{base}\n{attempt}".encode()).digest()
        return str(uuid.UUID(bytes=digest[:16], version=4))

    async def _submit(self, graph: dict[str, Any], prompt_id: str, workflow: Workflow, what: str) -> dict[str, Any]:
        body = {"prompt": graph, "client_id": self.client_id, "prompt_id": prompt_id}
        response = await self.request("POST", "/prompt", what=f"submit the {what}", idempotent=True, json=body,
                                      ok=lambda r: r.is_success or r.status_code == 400)
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        if response.status_code == 400:
            if await self._known(prompt_id, what):
                # A resend of a submit the server had taken (its answer was lost): carry on.
                return {}
            raise BackendError(f"ComfyUI refused the workflow {workflow.label}: {describe_refusal(answer)}")
        return answer if isinstance(answer, dict) else {}

    async def _known(self, prompt_id: str, what: str) -> bool:
        """Whether the server has the job already, waiting, running or done."""
        queue = (await self.request("GET", "/queue", what=f"check on the {what}")).json()
        if queue_state(queue, prompt_id) is not None:
            return True
        answer = (await self.request("GET", f"/history/{prompt_id}", what=f"check on the {what}")).json()
        return isinstance(answer, dict) and prompt_id in answer

    async def _fetch(self, entry: Mapping[str, Any], job: Job, workflow: Workflow, accepted: Mapping[str, Any]) -> Path:
        status = entry.get("status") if isinstance(entry.get("status"), dict) else {}
        if status.get("status_str") == "error":
            raise BackendError(f"ComfyUI could not make the {_kind_name(job.kind)} with {workflow.label}: "
                               f"{execution_error(status)}")
        want = "video" if job.kind == "clip" else "image"
        outputs = entry.get("outputs") if isinstance(entry.get("outputs"), dict) else {}
        chosen = pick_output(outputs, want)
        if chosen is None:
            saved = ", ".join(item.get("filename", "?") for _, item in output_files(outputs)) or "nothing"
            dropped = accepted.get("node_errors") or {}
            why = f"; ComfyUI left out outputs that failed validation: {describe_node_errors(dropped)}" if dropped else ""
            raise BackendError(f"ComfyUI ran {workflow.label} but it saved no {want} (it saved {saved}); end the "
                               f"workflow with {'SaveVideo' if want == 'video' else 'SaveImage'}{why}")
        query = urllib.parse.urlencode({"filename": chosen.get("filename", ""), "subfolder": chosen.get("subfolder", ""),
                                        "type": chosen.get("type", "output")})
        return await self.download(f"/view?{query}", job, auth=True, name=job.kind)


# ---- reading ComfyUI ---------------------------------------------------------------------------


def parse_graph(text: str, label: str) -> dict[str, Any]:
    """A rendered workflow as a graph in ComfyUI's API format, or a BackendError saying why not."""
    try:
        graph = json.loads(text)
    except json.JSONDecodeError as exc:
        shown = text.splitlines()[exc.lineno - 1].strip() if 0 < exc.lineno <= len(text.splitlines()) else ""
        raise BackendError(f"the ComfyUI workflow {label} is not JSON once rendered: {exc.msg} at line {exc.lineno}, "
                           f"column {exc.colno} of its output" + (f" ({shown[:80]})" if shown else "")
                           + "; put strings in with `|tojson`") from None
    if isinstance(graph, dict) and isinstance(graph.get("nodes"), list) and "links" in graph:
        raise BackendError(f"the ComfyUI workflow {label} is in the editor's format, not the API format: export "
                           "it from ComfyUI with Workflow → Export (API)")
    if not isinstance(graph, dict) or not graph:
        raise BackendError(f"the ComfyUI workflow {label} is not a graph of nodes (an object of node ids)")
    for node_id, node in graph.items():
        if not isinstance(node, dict) or not isinstance(node.get("class_type"), str) or not isinstance(node.get("inputs"), dict):
            raise BackendError(f"the ComfyUI workflow {label}: node {node_id} needs a `class_type` and `inputs` "
                               "(is it in the API format? Workflow → Export (API))")
    return graph


def describe_refusal(body: Any) -> str:
    """ComfyUI's answer to an invalid graph, naming each node it found wrong."""
    if not isinstance(body, dict):
        return str(body)[:300]
    error = body.get("error")
    if isinstance(error, dict):
        head = str(error.get("message") or error.get("type") or "invalid prompt").rstrip(".")
        details = str(error.get("details") or "").strip()
        if error.get("type") == "invalid_prompt" and "does not exist" in head:
            head += " (a custom node that is not installed on the server?)"
    else:
        head, details = str(error or "invalid prompt"), ""
    nodes = body.get("node_errors")
    if isinstance(nodes, dict) and nodes:
        return f"{head}: {describe_node_errors(nodes)}"
    return f"{head} ({details})" if details else head


def describe_node_errors(nodes: Mapping[str, Any], limit: int = 5) -> str:
    said = []
    for node_id, found in nodes.items():
        found = found if isinstance(found, dict) else {}
        name = found.get("class_type") or "?"
        for error in found.get("errors") or [{}]:
            error = error if isinstance(error, dict) else {"message": str(error)}
            text = str(error.get("message") or "invalid").rstrip(".")
            if error.get("details"):
                text += f": {error['details']}"
            if error.get("type") == "value_not_in_list":
                text += " (is that file in the server's models folder? name it in `vars`)"
            said.append(f"node {node_id} ({name}): {text}")
    more = f"; and {len(said) - limit} more" if len(said) > limit else ""
    return "; ".join(said[:limit]) + more


def execution_error(status: Mapping[str, Any]) -> str:
    """What went wrong while a job ran, from its history's status messages."""
    for event, data in reversed([m for m in status.get("messages") or [] if isinstance(m, list | tuple) and len(m) == 2]):
        if not isinstance(data, dict):
            continue
        where = f"node {data.get('node_id')} ({data.get('node_type')})" if data.get("node_id") is not None else "a node"
        if event == "execution_error":
            kind = str(data.get("exception_type") or "").rsplit(".", 1)[-1]
            said = str(data.get("exception_message") or "").strip() or "it failed"
            return f"{where} failed: {said}" + (f" ({kind})" if kind else "")
        if event == "execution_interrupted":
            return f"the job was interrupted at {where} (from the ComfyUI window, or another client)"
    return "the job ended in an error, and ComfyUI did not say which"


def output_files(outputs: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every file the output nodes reported, in order: (node id, {filename, subfolder, type}).
    SaveImage lists `images`; core SaveVideo lists its video under `images` too (with
    `animated: [true]`); VideoHelperSuite's Video Combine under `gifs`."""
    found = []
    for node_id, out in outputs.items():
        if not isinstance(out, dict):
            continue
        for value in out.values():
            if isinstance(value, list):
                found += [(str(node_id), item) for item in value if isinstance(item, dict) and item.get("filename")]
    return found


def pick_output(outputs: Mapping[str, Any], want: str) -> dict[str, Any] | None:
    """The file to fetch: the first saved (not a temporary preview) picture or video, as `want`
    says, else the first preview of it."""
    suffixes = _VIDEO_SUFFIXES if want == "video" else _IMAGE_SUFFIXES
    files = [item for _, item in output_files(outputs) if str(item["filename"]).lower().endswith(suffixes)]
    saved = [item for item in files if item.get("type", "output") == "output"]
    return (saved or files or [None])[0]


def queue_state(queue: Any, prompt_id: str) -> str | None:
    """Where a job is in ComfyUI's queue, as the progress display says it: "running",
    "queued, N ahead"; None when it is not in the queue."""
    if not isinstance(queue, dict):
        return None
    running = queue.get("queue_running") or []
    if _queued(queue, "queue_running", prompt_id) is not None:
        return "running"
    mine = _queued(queue, "queue_pending", prompt_id)
    if mine is None:
        return None
    ahead = len(running) + sum(1 for item in queue.get("queue_pending") or []
                               if _is_item(item) and item[1] != prompt_id and _position(item) < _position(mine))
    return f"queued, {ahead} ahead"


def _queued(queue: Any, key: str, prompt_id: str) -> list | None:
    if not isinstance(queue, dict):
        return None
    return next((item for item in queue.get(key) or [] if _is_item(item) and item[1] == prompt_id), None)


def _is_item(item: Any) -> bool:
    return isinstance(item, list | tuple) and len(item) >= 2


def _position(item: Any) -> float:
    try:
        return float(item[0])
    except (TypeError, ValueError, IndexError):
        return math.inf


def form(fields: Mapping[str, str], name: str, filename: str, data: bytes, mime: str) -> tuple[bytes, str]:
    """A multipart/form-data body with some fields and one file, and its Content-Type: built
    whole, so it leaves in one write (and is the same bytes when sent again)."""
    boundary = f"filmc-{secrets.token_hex(12)}"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
             for key, value in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                 f"Content-Type: {mime}\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


# ---- sizes and lengths -------------------------------------------------------------------------


def fit(width: int, height: int, max_pixels: float, multiple: int) -> tuple[int, int]:
    """The film's picture shape at no more than `max_pixels` (scaled down, never up), each side
    a multiple of `multiple` (what the models' latents need)."""
    scale = min(1.0, math.sqrt(max_pixels / max(1, width * height)))
    return (max(multiple, int(width * scale / multiple + 0.5) * multiple),
            max(multiple, int(height * scale / multiple + 0.5) * multiple))


def clip_length(duration_s: float, fps: float, step: int) -> int:
    """How many frames to ask for: enough for `duration_s` at `fps`, as `step`·n + 1 frames
    (Wan makes 4n + 1; the edit trims what is over)."""
    frames = max(1, math.ceil(duration_s * fps - 1e-6))
    return step * math.ceil((frames - 1) / step) + 1


# ---- templates and settings -------------------------------------------------------------------


def _environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True)
    # Same job, same graph: nothing random in a workflow.
    env.filters.pop("random", None)
    env.globals.pop("lipsum", None)
    env.filters["tojson"] = _tojson
    return env


def _tojson(value: Any) -> str:
    """A value as JSON; an undefined one fails with its name (json.dumps would only say that
    an Undefined cannot be serialized)."""
    if isinstance(value, jinja2.Undefined):
        value._fail_with_undefined_error()
    return json.dumps(value, ensure_ascii=False)


def _line_of(exc: Exception, template: jinja2.Template) -> int:
    """The template line an error was raised at (jinja2 gives the frames of a template's code
    its own lines)."""
    tb = exc.__traceback__
    line = getattr(exc, "lineno", None) or 1
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == template.filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _number(settings: Mapping[str, Any], name: str, default: float, where: str, minimum: float,
            whole: bool = False) -> float:
    value = settings.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum or (whole and value != int(value)):
        kind = "a whole number" if whole else "a number"
        raise ValueError(f"{where} `{name}` must be {kind} of {minimum:g} or more, not {value!r}")
    return value


def _size(settings: Mapping[str, Any], name: str, default: tuple[int, int], where: str) -> tuple[int, int]:
    value = settings.get(name, list(default))
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) and not isinstance(v, bool)
                                                                 and 16 <= v <= 8192 for v in value)):
        raise ValueError(f"{where} `{name}` must be [width, height] in pixels, like {list(default)}, not {value!r}")
    return int(value[0]), int(value[1])


def _kind_name(kind: str) -> str:
    return {"character_sheet": "character sheet", "set_plate": "set plate"}.get(kind, kind)
