"""filmc's HTTP backends, one module per service, on the careful client of `client.py`:
ComfyUI, OpenAI-compatible images and speech, Replicate, fal, Kling, Runway and ElevenLabs.
Each is registered in filmc's pyproject.toml under the `filmc.backends` entry point, like a
third party's plugin, and documented in docs/BACKENDS.md."""
