"""A fake of a ComfyUI server: /upload/image, /prompt, /history, /queue, /interrupt and /view,
every route also under /api/, with no authentication (ComfyUI has none).

/prompt validates the graph as ComfyUI's `validate_prompt` does, for the core nodes in `NODES`
(their required inputs, the types their links carry, their combo values, the minimums of their
numbers): a node without `class_type`, or of a class the server does not have, refuses the
whole prompt (`invalid_prompt`); a graph without an output node is `prompt_no_outputs`; errors in
the nodes feeding an output are reported per node in `node_errors`, and when no output is left
the answer is 400 `prompt_outputs_failed_validation`. LoadImage takes only uploaded pictures, and
the loaders only the model files in `models`. A client's `prompt_id` is used, and one used
before is refused (ComfyUI's maintainers asked for that check; what the real server answers is
a guess here, as are the fake's execution and refusal messages).

A job waits in the queue (`queue_pending`) while `throttle` says, then runs (`queue_running`)
and lands in the history after `jobs.polls` polls of /history/{id}; a prompt with a word of
`refuse_words` in a text input ends in an execution error at that node. /queue `delete` drops a
waiting job, /interrupt stops a running one (it lands in the history as interrupted); both are
recorded in `jobs.cancelled`. /view serves real media: a PNG for SaveImage and PreviewImage, an
H.264 MP4 for SaveVideo (listed under `images` with `animated: [true]`, as ComfyUI does).
"""

from __future__ import annotations

import email.parser
import email.policy
import hashlib
import io
import itertools
import time
from typing import Any

from PIL import Image

from . import media
from .server import Case, FakeService, Jobs, Reply, Request, json_reply

# Each core node the fake knows: (required inputs, optional inputs, output types, is an output node).
# Upper-case types are links; INT, FLOAT, STRING, BOOLEAN and COMBO are values.
_SAMPLING = {"positive": "CONDITIONING", "negative": "CONDITIONING", "vae": "VAE", "width": "INT", "height": "INT",
             "length": "INT", "batch_size": "INT"}
NODES: dict[str, tuple[dict[str, str], dict[str, str], tuple[str, ...], bool]] = {
    "CheckpointLoaderSimple": ({"ckpt_name": "COMBO"}, {}, ("MODEL", "CLIP", "VAE"), False),
    "UNETLoader": ({"unet_name": "COMBO", "weight_dtype": "COMBO"}, {}, ("MODEL",), False),
    "DualCLIPLoader": ({"clip_name1": "COMBO", "clip_name2": "COMBO", "type": "COMBO"}, {"device": "COMBO"}, ("CLIP",), False),
    "CLIPLoader": ({"clip_name": "COMBO", "type": "COMBO"}, {"device": "COMBO"}, ("CLIP",), False),
    "VAELoader": ({"vae_name": "COMBO"}, {}, ("VAE",), False),
    "CLIPVisionLoader": ({"clip_name": "COMBO"}, {}, ("CLIP_VISION",), False),
    "CLIPVisionEncode": ({"clip_vision": "CLIP_VISION", "image": "IMAGE", "crop": "COMBO"}, {}, ("CLIP_VISION_OUTPUT",), False),
    "CLIPTextEncode": ({"text": "STRING", "clip": "CLIP"}, {}, ("CONDITIONING",), False),
    "ConditioningZeroOut": ({"conditioning": "CONDITIONING"}, {}, ("CONDITIONING",), False),
    "FluxGuidance": ({"conditioning": "CONDITIONING", "guidance": "FLOAT"}, {}, ("CONDITIONING",), False),
    "ReferenceLatent": ({"conditioning": "CONDITIONING"}, {"latent": "LATENT"}, ("CONDITIONING",), False),
    "FluxKontextImageScale": ({"image": "IMAGE"}, {}, ("IMAGE",), False),
    "ImageScale": ({"image": "IMAGE", "upscale_method": "COMBO", "width": "INT", "height": "INT", "crop": "COMBO"}, {},
                   ("IMAGE",), False),
    "LoadImage": ({"image": "COMBO"}, {}, ("IMAGE", "MASK"), False),
    "VAEEncode": ({"pixels": "IMAGE", "vae": "VAE"}, {}, ("LATENT",), False),
    "VAEDecode": ({"samples": "LATENT", "vae": "VAE"}, {}, ("IMAGE",), False),
    "EmptyLatentImage": ({"width": "INT", "height": "INT", "batch_size": "INT"}, {}, ("LATENT",), False),
    "EmptySD3LatentImage": ({"width": "INT", "height": "INT", "batch_size": "INT"}, {}, ("LATENT",), False),
    "KSampler": ({"model": "MODEL", "seed": "INT", "steps": "INT", "cfg": "FLOAT", "sampler_name": "COMBO",
                  "scheduler": "COMBO", "positive": "CONDITIONING", "negative": "CONDITIONING", "latent_image": "LATENT",
                  "denoise": "FLOAT"}, {}, ("LATENT",), False),
    "KSamplerAdvanced": ({"model": "MODEL", "add_noise": "COMBO", "noise_seed": "INT", "steps": "INT", "cfg": "FLOAT",
                          "sampler_name": "COMBO", "scheduler": "COMBO", "positive": "CONDITIONING",
                          "negative": "CONDITIONING", "latent_image": "LATENT", "start_at_step": "INT",
                          "end_at_step": "INT", "return_with_leftover_noise": "COMBO"}, {}, ("LATENT",), False),
    "ModelSamplingSD3": ({"model": "MODEL", "shift": "FLOAT"}, {}, ("MODEL",), False),
    "WanImageToVideo": (_SAMPLING, {"clip_vision_output": "CLIP_VISION_OUTPUT", "start_image": "IMAGE"},
                        ("CONDITIONING", "CONDITIONING", "LATENT"), False),
    "WanFirstLastFrameToVideo": (_SAMPLING, {"clip_vision_start_image": "CLIP_VISION_OUTPUT",
                                             "clip_vision_end_image": "CLIP_VISION_OUTPUT", "start_image": "IMAGE",
                                             "end_image": "IMAGE"}, ("CONDITIONING", "CONDITIONING", "LATENT"), False),
    "CreateVideo": ({"images": "IMAGE", "fps": "FLOAT"}, {"audio": "AUDIO"}, ("VIDEO",), False),
    "SaveVideo": ({"video": "VIDEO", "filename_prefix": "STRING", "format": "COMBO", "codec": "COMBO"}, {}, (), True),
    "SaveImage": ({"images": "IMAGE", "filename_prefix": "STRING"}, {}, (), True),
    "PreviewImage": ({"images": "IMAGE"}, {}, (), True),
    "SaveAnimatedWEBP": ({"images": "IMAGE", "filename_prefix": "STRING", "fps": "FLOAT", "lossless": "BOOLEAN",
                          "quality": "INT", "method": "COMBO"}, {}, (), True),
}
SAMPLERS = ["euler", "euler_ancestral", "heun", "dpmpp_2m", "dpmpp_2m_sde", "uni_pc", "res_multistep"]
SCHEDULERS = ["normal", "karras", "exponential", "simple", "sgm_uniform", "beta"]
# Combo choices, by (class, input) or by input name alone.
COMBOS: dict[Any, list[str]] = {
    "weight_dtype": ["default", "fp8_e4m3fn", "fp8_e4m3fn_fast", "fp8_e5m2"],
    ("DualCLIPLoader", "type"): ["sdxl", "sd3", "flux", "hunyuan_video", "hidream"],
    ("CLIPLoader", "type"): ["stable_diffusion", "stable_cascade", "sd3", "stable_audio", "mochi", "ltxv", "pixart",
                             "cosmos", "lumina2", "wan", "hidream", "chroma", "ace", "omnigen2", "qwen_image"],
    "device": ["default", "cpu"],
    "sampler_name": SAMPLERS, "scheduler": SCHEDULERS,
    "add_noise": ["enable", "disable"], "return_with_leftover_noise": ["disable", "enable"],
    ("SaveVideo", "format"): ["auto", "mp4"], ("SaveVideo", "codec"): ["auto", "h264"],
    "crop": ["none", "center"], "upscale_method": ["nearest-exact", "bilinear", "area", "bicubic", "lanczos"],
    "method": ["default", "fastest", "slowest"],
}
# Inputs naming a model file: checked against `models`.
VALUES = {"INT", "FLOAT", "STRING", "BOOLEAN", "COMBO"}
MODEL_INPUTS = {"ckpt_name", "unet_name", "clip_name", "clip_name1", "clip_name2", "vae_name"}
MINIMUMS = {"width": 16, "height": 16, "length": 1, "batch_size": 1, "steps": 1}
MODELS = {
    "flux1-dev-kontext_fp8_scaled.safetensors", "clip_l.safetensors", "t5xxl_fp8_e4m3fn_scaled.safetensors",
    "ae.safetensors", "wan2.2_i2v_high_noise_14B_fp8_scaled.safetensors",
    "wan2.2_i2v_low_noise_14B_fp8_scaled.safetensors", "umt5_xxl_fp8_e4m3fn_scaled.safetensors",
    "wan_2.1_vae.safetensors", "sd_xl_base_1.0.safetensors",
}


class FakeComfyUI(FakeService):
    REFUSAL = "Prompt blocked by the safety checker node"

    def __init__(self) -> None:
        super().__init__()
        self.jobs = Jobs(polls=2)
        self.refuse_words = {"forbidden"}
        self.throttled = 0           # polls the next prompt waits in the queue before it runs
        self.ahead = 0               # other clients' prompts queued ahead of the next one (one running)
        self.gateway_timeouts = 0    # the next prompts are queued, then answered 504 (a proxy gave up)
        self.models: set[str] | None = set(MODELS)   # None: every model name is there
        self.inputs: dict[tuple[str, str], bytes] = {}    # (subfolder, name) → the uploaded bytes
        self.outputs: dict[tuple[str, str, str], tuple[str, str]] = {}  # (type, subfolder, name) → (media, text)
        self.uploads: list[str] = []     # every name uploaded, in order
        self.deleted: list[str] = []     # prompts dropped from the queue
        self.interrupted: list[str] = [] # prompts interrupted while running
        self.number = itertools.count()
        self.counters: dict[str, int] = {}

    def reset(self) -> FakeComfyUI:
        """Forget every upload, job and request, keeping the server running (so a test module
        can share one, instead of waiting for each to shut down)."""
        server, thread = self._server, self._thread
        self.__init__()
        self._server, self._thread = server, thread
        return self

    def error_body(self, status: int):
        # aiohttp's own page when a handler raises: text, not JSON.
        return f"{status} Internal Server Error\n\nServer got itself in trouble"

    # ---- routing -------------------------------------------------------------------------

    def route(self, request: Request) -> Reply:
        path = request.path[4:] if request.path.startswith("/api/") else request.path
        if request.method == "POST" and path == "/upload/image":
            return self._upload(request)
        if request.method == "POST" and path == "/prompt":
            return self._prompt(request)
        if request.method == "GET" and path.startswith("/history/"):
            return self._history(path.split("/", 2)[2])
        if request.method == "GET" and path == "/queue":
            return json_reply(self.queue())
        if request.method == "POST" and path == "/queue":
            return self._delete(request)
        if request.method == "POST" and path == "/interrupt":
            return self._interrupt(request)
        if request.method == "GET" and path == "/view":
            return self._view(request)
        return Reply(404, "404: Not Found")

    # ---- uploads -------------------------------------------------------------------------

    def _upload(self, request: Request) -> Reply:
        fields = multipart(request)
        image = fields.get("image")
        if not image or not image[0]:
            return Reply(400)
        filename, data = image
        subfolder = (fields.get("subfolder") or ("", b""))[1].decode() or ""
        kind = (fields.get("type") or ("", b"input"))[1].decode() or "input"
        overwrite = (fields.get("overwrite") or ("", b""))[1].decode() in ("true", "1")
        if filename.startswith("/") or ".." in filename or ".." in subfolder:
            return Reply(400)
        if kind != "input":
            return json_reply({"name": filename, "subfolder": subfolder, "type": kind})
        stem, dot, ext = filename.rpartition(".")
        name, n = filename, 1
        with self.lock:
            while not overwrite and (subfolder, name) in self.inputs and self.inputs[(subfolder, name)] != data:
                name = f"{stem} ({n}){dot}{ext}" if dot else f"{filename} ({n})"
                n += 1
            self.inputs[(subfolder, name)] = data
            self.uploads.append(name)
        return json_reply({"name": name, "subfolder": subfolder, "type": "input"})

    # ---- submitting ----------------------------------------------------------------------

    def _prompt(self, request: Request) -> Reply:
        try:
            body = request.json()
        except ValueError:
            return Reply(400, "400: Bad Request")
        if not isinstance(body, dict) or "prompt" not in body:
            return json_reply({"error": {"type": "no_prompt", "message": "No prompt provided",
                                         "details": "No prompt provided", "extra_info": {}}, "node_errors": {}}, 400)
        prompt_id = str(body.get("prompt_id") or f"fake-{next(self.number):04d}")
        with self.lock:
            if prompt_id in self.jobs.items:
                return json_reply({"error": {"type": "invalid_prompt", "message": "Prompt ID already in use",
                                             "details": f"prompt_id {prompt_id} was submitted before", "extra_info": {}},
                                   "node_errors": {}}, 400)
            error, good, node_errors = validate(body["prompt"], set(self.inputs), self.models)
            if error is not None and not good:
                return json_reply({"error": error, "node_errors": node_errors}, 400)
            for _ in range(self.ahead):
                self.jobs.add({"number": next(self.number), "foreign": True, "pending": 0, "graph": {}, "outputs": []})
            self.ahead = 0
            number = next(self.number)
            self.jobs.add({"number": number, "graph": body["prompt"], "outputs": good, "pending": self.throttled,
                           "client_id": body.get("client_id"), "foreign": False}, job_id=prompt_id)
            self.throttled = 0
            if self.gateway_timeouts > 0:
                self.gateway_timeouts -= 1
                return Reply(504, "504 Gateway Time-out")
        return json_reply({"prompt_id": prompt_id, "number": number, "node_errors": node_errors})

    # ---- the queue and the history -------------------------------------------------------

    def queue(self) -> dict[str, list]:
        with self.lock:
            foreign = [j for j in self.jobs.items.values() if j.get("foreign") and j["state"] == "queued"]
            mine = [j for j in self.jobs.items.values() if not j.get("foreign") and j["state"] in ("queued", "running")]
            # Other clients' prompts: the first runs, the rest wait.
            running = foreign[:1] + [j for j in mine if j["state"] == "running"]
            pending = foreign[1:] + [j for j in mine if j["state"] == "queued"]
            item = lambda j: [j["number"], j["id"], j["graph"], {"client_id": j.get("client_id")}, j["outputs"], {}]  # noqa: E731
            return {"queue_running": [item(j) for j in running], "queue_pending": [item(j) for j in pending]}

    def _history(self, prompt_id: str) -> Reply:
        with self.lock:
            job = self.jobs.items.get(prompt_id)
            if job is None or job.get("foreign") or job["state"] == "deleted":
                return json_reply({})
            if job["state"] == "queued" and job["pending"] > 0:
                job["pending"] -= 1
                return json_reply({})
            if job["state"] == "queued":
                for other in self.jobs.items.values():  # the prompts ahead have run
                    if other.get("foreign"):
                        other["state"] = "done"
                job["state"] = "running"
            self.jobs.check(prompt_id, self._finish)
            return json_reply({prompt_id: job["entry"]} if "entry" in job else {})

    def _finish(self, job: dict) -> None:
        graph, prompt_id = job["graph"], job["id"]
        start = ["execution_start", {"prompt_id": prompt_id, "timestamp": int(time.time() * 1000)}]
        refused = next(((node_id, node) for node_id, node in graph.items()
                        for value in node["inputs"].values()
                        if isinstance(value, str) and any(w in value for w in self.refuse_words)), None)
        if refused is not None:
            node_id, node = refused
            job["state"] = "failed"
            job["entry"] = {"prompt": [job["number"], prompt_id, graph, {}, job["outputs"]], "outputs": {}, "meta": {},
                            "status": {"status_str": "error", "completed": False, "messages": [start, [
                                "execution_error", {"prompt_id": prompt_id, "node_id": node_id,
                                                    "node_type": node["class_type"], "executed": [],
                                                    "exception_message": self.REFUSAL,
                                                    "exception_type": "comfy_extras.safety.ContentRefused",
                                                    "traceback": ["  File \"execution.py\", line 496, in execute\n"],
                                                    "current_inputs": {}, "current_outputs": []}]]}}
            return
        outputs = {node_id: self._save(graph[node_id]) for node_id in job["outputs"]}
        job["state"] = "done"
        job["entry"] = {"prompt": [job["number"], prompt_id, graph, {}, job["outputs"]], "outputs": outputs,
                        "meta": {n: {"node_id": n, "display_node": n, "parent_node": None, "real_node_id": n}
                                 for n in outputs},
                        "status": {"status_str": "success", "completed": True, "messages": [
                            start, ["execution_cached", {"nodes": [], "prompt_id": prompt_id}],
                            ["execution_success", {"prompt_id": prompt_id}]]}}

    def _save(self, node: dict) -> dict:
        """What an output node reports (and the file it leaves in the output folder)."""
        kind = node["class_type"]
        if kind == "PreviewImage":
            name = f"ComfyUI_temp_{hashlib.sha1(str(node).encode()).hexdigest()[:5]}_00001_.png"
            self.outputs[("temp", "", name)] = ("png", name)
            return {"images": [{"filename": name, "subfolder": "", "type": "temp"}]}
        prefix = str(node["inputs"].get("filename_prefix", "ComfyUI"))
        subfolder, _, stem = prefix.rpartition("/")
        counter = self.counters[prefix] = self.counters.get(prefix, 0) + 1
        suffix = {"SaveVideo": "mp4", "SaveAnimatedWEBP": "webp"}.get(kind, "png")
        name = f"{stem}_{counter:05}_.{suffix}"
        self.outputs[("output", subfolder, name)] = (suffix, f"{kind} {prefix}")
        found = {"images": [{"filename": name, "subfolder": subfolder, "type": "output"}]}
        if kind in ("SaveVideo", "SaveAnimatedWEBP"):
            found["animated"] = [True]
        return found

    # ---- cancelling ----------------------------------------------------------------------

    def _delete(self, request: Request) -> Reply:
        body = request.json() or {}
        with self.lock:
            for prompt_id in body.get("delete", []):
                job = self.jobs.items.get(prompt_id)
                if job is not None and job["state"] == "queued":
                    self.jobs.cancel(prompt_id)
                    job["state"] = "deleted"
                    self.deleted.append(prompt_id)
        return Reply(200)

    def _interrupt(self, request: Request) -> Reply:
        try:
            wanted = (request.json() or {}).get("prompt_id")
        except ValueError:
            wanted = None
        with self.lock:
            for job in list(self.jobs.items.values()):
                if job["state"] != "running" or (wanted and job["id"] != wanted):
                    continue
                self.jobs.cancel(job["id"])
                self.interrupted.append(job["id"])
                job["entry"] = {"prompt": [job["number"], job["id"], job["graph"], {}, job["outputs"]], "outputs": {},
                                "meta": {}, "status": {"status_str": "error", "completed": False, "messages": [
                                    ["execution_start", {"prompt_id": job["id"]}],
                                    ["execution_interrupted", {"prompt_id": job["id"], "node_id": "12",
                                                               "node_type": "KSamplerAdvanced", "executed": []}]]}}
        return Reply(200)

    # ---- files ---------------------------------------------------------------------------

    def _view(self, request: Request) -> Reply:
        filename = (request.query.get("filename") or [""])[0]
        kind = (request.query.get("type") or ["output"])[0]
        subfolder = (request.query.get("subfolder") or [""])[0]
        if not filename:
            return Reply(404)
        if filename.startswith("/") or ".." in filename:
            return Reply(400)
        if ".." in subfolder or subfolder.startswith("/"):
            return Reply(403)
        with self.lock:
            if kind == "input":
                data = self.inputs.get((subfolder, filename))
                return Reply(200, data, {"Content-Type": "image/png"}, download=True) if data else Reply(404)
            found = self.outputs.get((kind, subfolder, filename))
        if found is None:
            return Reply(404)
        what, text = found
        if what == "mp4":
            return Reply(200, media.mp4(), {"Content-Type": "video/mp4"}, download=True)
        if what == "webp":
            out = io.BytesIO()
            Image.open(io.BytesIO(media.png(text))).save(out, "WEBP")
            return Reply(200, out.getvalue(), {"Content-Type": "image/webp"}, download=True)
        return Reply(200, media.png(text), {"Content-Type": "image/png"}, download=True)


# ---- validation, as ComfyUI's execution.validate_prompt answers ----------------------------------


def validate(prompt: Any, uploaded: set[tuple[str, str]], models: set[str] | None = None
             ) -> tuple[dict | None, list[str], dict[str, dict]]:
    """(the top-level error or None, the output nodes that can run, node_errors)."""
    if not isinstance(prompt, dict):
        return _invalid("Cannot execute because the prompt is not an object of nodes.", ""), [], {}
    outputs = []
    for node_id, node in prompt.items():
        if not isinstance(node, dict) or "class_type" not in node:
            return _invalid("Cannot execute because a node is missing the class_type property.", f"Node ID '#{node_id}'"), [], {}
        if node["class_type"] not in NODES:
            return _invalid(f"Cannot execute because node {node['class_type']} does not exist.", f"Node ID '#{node_id}'"), [], {}
        if NODES[node["class_type"]][3]:
            outputs.append(str(node_id))
    if not outputs:
        return {"type": "prompt_no_outputs", "message": "Prompt has no outputs", "details": "", "extra_info": {}}, [], {}
    checked: dict[str, list[dict]] = {}
    node_errors: dict[str, dict] = {}
    good = []
    for output in outputs:
        bad = [n for n in _upstream(prompt, output) if _node_errors(prompt, n, uploaded, models, checked)]
        if not bad:
            good.append(output)
            continue
        for node_id in bad:
            entry = node_errors.setdefault(node_id, {"errors": checked[node_id], "dependent_outputs": [],
                                                     "class_type": prompt[node_id]["class_type"]})
            entry["dependent_outputs"].append(output)
    if not node_errors:
        return None, good, {}
    lines = "\n".join(f"{e['message']}: {e['details']}" for n in node_errors.values() for e in n["errors"])
    error = {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation",
             "details": lines, "extra_info": {}}
    return error, good, node_errors


def _invalid(message: str, details: str) -> dict:
    return {"type": "invalid_prompt", "message": message, "details": details, "extra_info": {}}


def _upstream(prompt: dict, node_id: str) -> list[str]:
    """The node and every node it takes a link from, that exist."""
    seen, todo = [], [node_id]
    while todo:
        current = todo.pop()
        if current in seen or current not in prompt:
            continue
        seen.append(current)
        inputs = prompt[current].get("inputs")
        for value in (inputs.values() if isinstance(inputs, dict) else []):
            if _is_link(value):
                todo.append(str(value[0]))
    return seen


def _is_link(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2 and isinstance(value[0], str) and isinstance(value[1], int)


def _node_errors(prompt: dict, node_id: str, uploaded: set, models: set[str] | None, checked: dict) -> list[dict]:
    if node_id in checked:
        return checked[node_id]
    node = prompt[node_id]
    kind = node["class_type"]
    required, optional, _, _ = NODES[kind]
    inputs = node.get("inputs")
    errors: list[dict] = []
    if not isinstance(inputs, dict):
        errors.append({"type": "exception_during_validation", "message": "Exception when validating node",
                       "details": "'inputs'", "extra_info": {}})
        checked[node_id] = errors
        return errors
    for name, expected in {**required, **optional}.items():
        if name not in inputs:
            if name in required:
                errors.append({"type": "required_input_missing", "message": "Required input is missing",
                               "details": name, "extra_info": {"input_name": name}})
            continue
        value = inputs[name]
        if _is_link(value):
            source = prompt.get(value[0])
            if source is None or source.get("class_type") not in NODES:
                errors.append({"type": "exception_during_inner_validation", "message": "Exception when validating inner node",
                               "details": f"'{value[0]}'", "extra_info": {"input_name": name, "linked_node": value}})
                continue
            made = NODES[source["class_type"]][2]
            received = made[value[1]] if 0 <= value[1] < len(made) else None
            if received != expected:
                errors.append({"type": "return_type_mismatch", "message": "Return type mismatch between linked nodes",
                               "details": f"{name}, received_type({received}) mismatch input_type({expected})",
                               "extra_info": {"input_name": name, "received_type": received, "linked_node": value}})
            continue
        if expected not in VALUES:  # a value where a link is due
            errors.append({"type": "required_input_missing", "message": "Required input is missing",
                           "details": name, "extra_info": {"input_name": name}})
            continue
        errors += _value_errors(kind, name, expected, value, uploaded, models)
    checked[node_id] = errors
    return errors


def _value_errors(kind: str, name: str, expected: str, value: Any, uploaded: set, models: set[str] | None) -> list[dict]:
    if expected in ("INT", "FLOAT"):
        if isinstance(value, bool) or not isinstance(value, int | float) or (expected == "INT" and value != int(value)):
            return [{"type": "invalid_input_type", "message": f"Failed to convert an input value to a {expected} value",
                     "details": f"{name}, {value}", "extra_info": {"input_name": name, "received_value": value}}]
        if name in MINIMUMS and value < MINIMUMS[name]:
            return [{"type": "value_smaller_than_min", "message": f"Value {value} smaller than min of {MINIMUMS[name]}",
                     "details": name, "extra_info": {"input_name": name, "received_value": value}}]
        return []
    if expected == "STRING":
        return [] if isinstance(value, str) else [{"type": "invalid_input_type", "message": "Failed to convert an input "
                                                   "value to a STRING value", "details": f"{name}, {value}", "extra_info": {}}]
    if expected == "BOOLEAN":
        return [] if isinstance(value, bool) else [{"type": "invalid_input_type", "message": "Failed to convert an input "
                                                    "value to a BOOLEAN value", "details": f"{name}, {value}", "extra_info": {}}]
    if kind == "LoadImage":
        path = str(value).removesuffix(" [input]")
        subfolder, _, filename = path.rpartition("/")
        if (subfolder, filename) not in uploaded:
            return [{"type": "custom_validation_failed", "message": "Custom validation failed for node",
                     "details": f"image - Invalid image file: {value}", "extra_info": {"input_name": name, "received_value": value}}]
        return []
    choices = None
    if name in MODEL_INPUTS:
        choices = sorted(models) if models is not None else None
    else:
        choices = COMBOS.get((kind, name), COMBOS.get(name))
    if choices is not None and value not in choices:
        listed = f"(list of length {len(choices)})" if len(choices) > 20 else str(choices)
        return [{"type": "value_not_in_list", "message": "Value not in list", "details": f"{name}: '{value}' not in {listed}",
                 "extra_info": {"input_name": name, "received_value": value}}]
    return []


def multipart(request: Request) -> dict[str, tuple[str, bytes]]:
    """The fields of a multipart/form-data body: name → (filename, bytes)."""
    head = f"Content-Type: {request.header('content-type') or ''}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + request.body)
    fields = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            fields[str(name)] = (part.get_filename() or "", part.get_payload(decode=True) or b"")
    return fields


def _hold(fake: FakeComfyUI) -> None:
    fake.jobs.hold = True


def _throttle(fake: FakeComfyUI, polls: int) -> None:
    fake.throttled = polls


CASE = Case(
    name="comfyui", fake=FakeComfyUI, env={},
    settings=lambda url: {"base_url": url},
    kinds={"keyframe": {}, "character_sheet": {}, "set_plate": {}, "clip": {"duration_s": 4.0}},
    inputs={"keyframe": {"plate": "png", "sheet:alin": "png"}, "clip": {"first_frame": "png"}},
    submit="/prompt", download="/view", refuse_word="forbidden", refusal=FakeComfyUI.REFUSAL,
    idempotent_submit=True, hold=_hold, cancelled=lambda fake: fake.jobs.cancelled, throttle=_throttle,
)
