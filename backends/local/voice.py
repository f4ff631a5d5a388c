"""Dialogue for the `local` backend's animatic: eSpeak NG, driven through ctypes.

A line becomes audio in four steps:

1. `cast` turns a character's declared voice ("low female, warm", "old man, raspy", or nothing)
   into a `Voice`: an English eSpeak voice and variant (`en-us+f2`, `en-us+croak`) with a base
   pitch, pitch range, rate and volume. Words of the description choose them; a sha256 of the
   character's name picks among equivalent variants and nudges pitch and rate, so two characters
   described alike still sound apart, and a character sounds the same in every run.
2. `direct` bends that voice for the line's parenthetical ("whispering", "slowly") and for a
   sung line, which is sung word by word on a small seeded melody.
3. `_ESpeak` synthesises. The library is loaded, initialised and unloaded again for every pass:
   eSpeak keeps state in C statics that no API call resets (the pitch-flutter index, the wave
   phase), so a library left loaded speaks the same line a little differently each time, and
   filmc's cache wants identical samples. A fresh load costs about 2 ms. eSpeak's globals are
   shared by the whole process, so `_LOCK` serialises every use across filmc's worker threads.
4. `speak` fits the line to its planned time: when it runs long, it is spoken again faster.

User text is always plain UTF-8 (no SSML, no `[[phonemes]]`).
"""

from __future__ import annotations

import _ctypes
import ctypes
import hashlib
import re
import threading
import wave
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

# speak_lib.h (eSpeak NG 1.52, API revision 12).
_AUDIO_OUTPUT_SYNCHRONOUS = 2  # espeak_AUDIO_OUTPUT: like RETRIEVAL, but Synth returns when done
_POS_CHARACTER = 1  # espeak_POSITION_TYPE
_CHARS_UTF8 = 1  # espeak_Synth flags; leaving out espeakSSML (0x10) and espeakPHONEMES (0x100)
_EE_OK = 0  # espeak_ERROR
_ESPEAK_RATE, _ESPEAK_VOLUME, _ESPEAK_PITCH, _ESPEAK_RANGE, _ESPEAK_WORDGAP = 1, 2, 3, 4, 7  # espeak_PARAMETER
_RATE_MIN, _RATE_MAX = 80, 450  # espeakRATE_MINIMUM, espeakRATE_MAXIMUM, in words a minute

# int SynthCallback(short *wav, int numsamples, espeak_EVENT *events); returning 0 continues.
_SynthCallback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)

_LOCK = threading.Lock()
_chunks: list[np.ndarray] = []  # the pass in progress; only touched while holding _LOCK

SAMPLE_RATE = 22050  # what eSpeak NG synthesises at, whatever the voice
FIT_SLACK_S = 0.15  # a line may run this much over its planned time before it is sped up
FIT_PASSES = 3  # at most this many faster passes
EDGE_S = 0.03  # silence kept before and after the speech
BREATH_S = 0.3  # what a line without words ("...") lasts


class VoiceError(Exception):
    """eSpeak NG could not be loaded or could not speak; the message is shown to the user as is."""


@_SynthCallback
def _collect(wav, count, events):
    if wav and count > 0:
        _chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
    return 0


# ---------------------------------------------------------------------------------------------
# Casting: a voice description and a name become an eSpeak voice.


@dataclass(frozen=True)
class Voice:
    """An eSpeak voice and its settings, in eSpeak's units.

    `pitch` and `range` run 0-100 (50 is the variant's own); `rate` is in words a minute;
    `volume` runs 0-200 (100 is normal); `word_gap` is an extra pause between words in 10 ms
    units. `echo` adds a cavernous echo after synthesis (eSpeak's API has none).
    """

    language: str
    variant: str
    female: bool
    pitch: int = 50
    range: int = 50
    rate: int = 150
    volume: int = 100
    word_gap: int = 0
    echo: bool = False

    @property
    def name(self) -> str:
        """The name `espeak_SetVoiceByName` takes: language, `+`, variant."""
        return f"{self.language}+{self.variant}"


RATE_NORMAL = 135  # eSpeak's 175 is brisk; at 135 a line runs about 2.5 to 3 words a second

_MALE = {"male", "man", "boy", "baritone", "bass", "tenor", "gentleman", "guy", "father", "king", "masculine"}
_FEMALE = {"female", "woman", "girl", "soprano", "alto", "mezzo", "lady", "mother", "queen", "feminine"}
_CHILD = {"child", "kid", "boy", "girl", "little", "toddler"}
_YOUNG = {"young", "youthful", "teen", "teenage", "teenager"}
_OLD = {"old", "elderly", "aged", "ancient", "grandmother", "grandfather", "granny", "grandpa", "grandma"}
_DEEP = {"deep", "low", "bass", "baritone", "booming", "gravelly", "dark"}
_HIGH = {"high", "bright", "squeaky", "shrill", "soprano", "light", "thin"}
_SLOW = {"slow", "measured", "drawling", "deliberate", "languid", "lazy"}
_FAST = {"fast", "quick", "rapid", "brisk", "nervous", "excitable", "energetic"}
_FLAT = {"flat", "monotone", "dry", "cold", "robotic", "mechanical", "stern"}
_LIVELY = {"lively", "animated", "expressive", "excited", "bubbly", "warm", "playful", "melodic"}
_SOFT = {"soft", "gentle", "quiet", "timid", "shy", "meek"}
_LOUD = {"loud", "booming", "commanding", "strong", "powerful", "brash"}
_WHISPER = {"whisper", "whispery", "whispering", "hushed"}
_RASPY = {"raspy", "gravelly", "hoarse", "rough", "croaky", "croaking", "gruff"}
_BREATHY = {"breathy", "airy", "husky", "sultry"}
_ROBOT = {"robot", "robotic", "mechanical", "synthetic", "android", "computer", "machine"}
_ECHO = {"echo", "echoing", "echoey", "reverberant", "cavernous", "ghostly", "ethereal", "godlike", "divine", "otherworldly"}
_ACCENTS = (  # description words → an eSpeak English language
    ({"scottish", "scots"}, "en-gb-scotland"),
    ({"posh", "aristocratic"}, "en-gb-x-rp"),
    ({"british", "english", "london"}, "en"),
    ({"caribbean", "jamaican"}, "en-029"),
    ({"brooklyn", "york"}, "en-us-nyc"),
)

# Variants in espeak-ng-data/voices/!v that sound like ordinary speakers of each gender.
_MALE_VARIANTS = ("m1", "m2", "m3", "m4", "m5", "m6", "m7")
_DEEP_MALE_VARIANTS = ("m1", "m4", "m8")  # the lowest base pitch
_FEMALE_VARIANTS = ("f1", "f2", "f3", "f4", "f5")
_BREATHY_FEMALE_VARIANTS = ("f3", "f5")  # the ones with `breath` set


def _words(text: str | None) -> set[str]:
    return set(re.findall(r"[a-z]+", (text or "").lower()))


def cast(character: str, description: str) -> Voice:
    """The voice a character speaks with, from its declared voice description (may be "")."""
    words = _words(description)
    digest = hashlib.sha256(character.strip().casefold().encode()).digest()
    female = _is_female(words, digest)
    return Voice(
        language=next((language for keys, language in _ACCENTS if words & keys), "en-us"),
        variant=_variant(words, female, digest),
        female=female,
        pitch=_clamp(50 + _pitch_shift(words) + digest[2] % 17 - 8, 0, 100),
        range=_clamp(50 + 20 * bool(words & _LIVELY) - 30 * bool(words & _FLAT), 0, 100),
        rate=round(RATE_NORMAL * _pace(words)) + digest[3] % 21 - 10,
        volume=100 - 20 * bool(words & _SOFT) + 20 * bool(words & _LOUD),
        echo=bool(words & _ECHO),
    )


def _is_female(words: set[str], digest: bytes) -> bool:
    if words & _FEMALE and not words & _MALE:
        return True
    if words & _MALE or words & _DEEP:
        return False
    return digest[1] % 2 == 1


def _variant(words: set[str], female: bool, digest: bytes) -> str:
    if words & _WHISPER:
        return "whisperf" if female else "whisper"
    if words & _ROBOT:
        return "robosoft"
    if words & _CHILD:
        return "anika" if female else "zac"
    if words & _OLD:
        return "grandma" if female else "grandpa"
    if words & _RASPY:
        return "grandma" if female else "croak"  # grandma is eSpeak's only rough female variant
    if female:
        pool = _BREATHY_FEMALE_VARIANTS if words & _BREATHY else _FEMALE_VARIANTS
    else:
        pool = _DEEP_MALE_VARIANTS if words & _DEEP else _MALE_VARIANTS
    return pool[digest[0] % len(pool)]


def _pitch_shift(words: set[str]) -> int:
    return -22 * bool(words & _DEEP) + 15 * bool(words & _HIGH) + 6 * bool(words & _YOUNG) - 4 * bool(words & _OLD)


def _pace(words: set[str]) -> float:
    factor = 0.8 if words & _SLOW else 1.2 if words & _FAST else 1.0
    return factor * (1.05 if words & _YOUNG else 0.9 if words & _OLD else 1.0)


def _clamp(value: float, low: int, high: int) -> int:
    return int(min(max(round(value), low), high))


# ---------------------------------------------------------------------------------------------
# Direction: a parenthetical bends the voice for one line.


@dataclass(frozen=True)
class _Shade:
    pitch: int = 0
    range: int = 0
    rate: float = 1.0
    volume: float = 1.0
    word_gap: int = 0
    whisper: bool = False


_DIRECTIONS: tuple[tuple[frozenset[str], _Shade], ...] = tuple((frozenset(keys.split()), shade) for keys, shade in (
    ("screaming screams screamed shrieking shrieks yelling yells shouting shouts bellowing roaring",
     _Shade(pitch=22, range=35, rate=1.05, volume=1.7)),
    ("angrily angry furious furiously snapping snaps fiercely", _Shade(pitch=6, range=20, rate=1.08, volume=1.35)),
    ("whispering whispers whispered whisper hushed sotto", _Shade(range=-15, rate=0.95, volume=0.8, whisper=True)),
    ("quietly softly gently murmuring murmurs mumbling mumbles muttering mutters breath herself himself themselves",
     _Shade(pitch=-3, range=-15, volume=0.6)),
    ("sadly crying tearful tearfully sobbing weeping mournfully choked", _Shade(pitch=-6, range=-15, rate=0.85, volume=0.85)),
    ("laughing laughs happily cheerfully excited excitedly giddy delighted brightly", _Shade(pitch=8, range=25, rate=1.1, volume=1.1)),
    ("surprised shocked gasping stunned alarmed panicked panicking terrified scared frightened",
     _Shade(pitch=10, range=20, rate=1.1)),
    ("tenderly lovingly warmly soothing soothingly", _Shade(pitch=-2, range=5, rate=0.9, volume=0.8)),
    ("coldly flatly deadpan monotone icily", _Shade(pitch=-3, range=-30)),
    ("slowly deliberately carefully drawling hesitantly haltingly", _Shade(rate=0.75, word_gap=2)),
    ("fast quickly rapidly rushed hurriedly breathlessly babbling", _Shade(rate=1.3)),
))
_SUNG = _Shade(range=-40, rate=0.7, volume=1.1)  # each word is held near one note of the melody


def direct(voice: Voice, direction: str | None, sung: bool = False) -> Voice:
    """`voice` bent by a line's parenthetical (None, or one that says nothing of the voice, such
    as "beat" or "V.O.", leaves it as it is) and, for a sung line, set up for singing."""
    words = _words(direction)
    shades = [shade for keys, shade in _DIRECTIONS if words & keys] + ([_SUNG] if sung else [])
    for shade in shades:
        voice = replace(
            voice,
            variant=("whisperf" if voice.female else "whisper") if shade.whisper else voice.variant,
            pitch=_clamp(voice.pitch + shade.pitch, 0, 100),
            range=_clamp(voice.range + shade.range, 0, 100),
            rate=_clamp(voice.rate * shade.rate, _RATE_MIN, _RATE_MAX),
            volume=_clamp(voice.volume * shade.volume, 0, 200),
            word_gap=voice.word_gap + shade.word_gap,
        )
    return voice


# ---------------------------------------------------------------------------------------------
# Synthesis.


class _ESpeak:
    """eSpeak NG, freshly loaded and initialised for one pass, unloaded on exit; callers hold _LOCK."""

    def __enter__(self) -> _ESpeak:
        try:
            import espeakng_loader

            self.lib = ctypes.CDLL(espeakng_loader.get_library_path())
            data = espeakng_loader.get_data_path()
            _declare(self.lib)
        except (ImportError, OSError, RuntimeError, AttributeError) as error:
            raise VoiceError(f"cannot load eSpeak NG 1.52 for the `local` backend's voices (package espeakng-loader): {error}") from error
        rate = self.lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data.encode(), 0)
        if rate != SAMPLE_RATE:
            _unload(self.lib)
            raise VoiceError(f"eSpeak NG would not start with its data in {data} (it answered {rate})")
        self.lib.espeak_SetSynthCallback(_collect)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.lib.espeak_Terminate()
        _unload(self.lib)

    def say(self, text: str, voice: Voice, seed: int) -> np.ndarray:
        """`text` spoken by `voice`, as int16 samples at SAMPLE_RATE."""
        lib = self.lib
        if lib.espeak_SetVoiceByName(voice.name.encode()) != _EE_OK:
            raise VoiceError(f"eSpeak NG has no voice {voice.name!r}")
        for parameter, value in ((_ESPEAK_RATE, voice.rate), (_ESPEAK_VOLUME, voice.volume), (_ESPEAK_PITCH, voice.pitch),
                                 (_ESPEAK_RANGE, voice.range), (_ESPEAK_WORDGAP, voice.word_gap)):
            lib.espeak_SetParameter(parameter, value, 0)
        lib.espeak_ng_SetRandSeed(seed)  # eSpeak's noise (whispers, breath) comes from here
        _chunks.clear()
        encoded = text.encode()
        status = lib.espeak_Synth(encoded, len(encoded) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
        if status != _EE_OK:
            raise VoiceError(f"eSpeak NG failed to speak {text!r} (error {status})")
        samples = np.concatenate(_chunks) if _chunks else np.zeros(0, np.int16)
        _chunks.clear()
        return samples


def _declare(lib: ctypes.CDLL) -> None:
    """The C signatures of the functions used (speak_lib.h and espeak_ng.h)."""
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_Initialize.restype = ctypes.c_int
    lib.espeak_SetSynthCallback.argtypes = [_SynthCallback]
    lib.espeak_SetSynthCallback.restype = None
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
    lib.espeak_Synth.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint, ctypes.c_uint,
                                 ctypes.POINTER(ctypes.c_uint), ctypes.c_void_p]
    for function in (lib.espeak_SetVoiceByName, lib.espeak_SetParameter, lib.espeak_Synth, lib.espeak_Terminate):
        function.restype = ctypes.c_int


def _unload(lib: ctypes.CDLL) -> None:
    close = getattr(_ctypes, "dlclose", None) or _ctypes.FreeLibrary  # POSIX, Windows
    close(lib._handle)


# ---------------------------------------------------------------------------------------------
# Lines.


def speak(text: str, *, character: str, voice: str, direction: str | None, sung: bool, duration_s: float,
          seed: int | None) -> tuple[np.ndarray, int]:
    """A line of dialogue as mono int16 samples and their sample rate (eSpeak's, 22050 Hz).

    `voice` is the character's declared voice description ("" when undeclared), `direction`
    the line's parenthetical, `duration_s` the time planned for it: a longer line is spoken
    faster (up to eSpeak's 450 words a minute) and, if it still runs long, returned as it is.
    """
    words = clean(text)
    spoken = direct(cast(character, voice), direction, sung)
    seed = (seed or 0) % 2**31
    if not re.search(r"\w", words):
        return _breath(seed), SAMPLE_RATE
    with _LOCK:
        samples = _fit(lambda rate: _render(words, replace(spoken, rate=rate), sung, seed), spoken.rate, duration_s)
    return (samples if samples.size else _breath(seed)), SAMPLE_RATE  # eSpeak found nothing to say in, say, "§"


def clean(text: str) -> str:
    """A line's text as eSpeak should read it: no notes ([[...]]), no boneyard (/* */), no
    Fountain emphasis (*, _) or escapes, no lyric marks (~), whitespace collapsed."""
    text = re.sub(r"\[\[.*?\]\]|/\*.*?\*/", " ", text, flags=re.DOTALL)
    text = re.sub(r"^\s*~", "", text, flags=re.MULTILINE)
    return " ".join(re.sub(r"[*_\\]", "", text).split())


def _fit(render: Callable[[int], np.ndarray], rate: int, duration_s: float) -> np.ndarray:
    samples = render(rate)
    for _ in range(FIT_PASSES):
        length_s = len(samples) / SAMPLE_RATE
        if duration_s <= 0 or length_s <= duration_s + FIT_SLACK_S or rate >= _RATE_MAX:
            break
        # A little faster than proportional: pauses between clauses shrink less than words.
        rate = min(_RATE_MAX, round(rate * length_s / duration_s * 1.05))
        samples = render(rate)
    return samples


def _render(text: str, voice: Voice, sung: bool, seed: int) -> np.ndarray:
    """One synthesis pass: spoken whole, or sung a word at a time; silence trimmed, echo added."""
    with _ESpeak() as espeak:
        if sung:
            samples = _sing(espeak, text, voice, seed)
        else:
            samples = _trim(espeak.say(text, voice, seed))
    return _echo(samples) if voice.echo else samples


def _sing(espeak: _ESpeak, text: str, voice: Voice, seed: int) -> np.ndarray:
    """Each word held near one note of a pentatonic walk around the voice's pitch, seeded by the seed and the text."""
    words = text.split()
    steps = _melody(len(words), np.random.default_rng([seed, int.from_bytes(hashlib.sha256(text.encode()).digest()[:4])]))
    gap = np.zeros(int(0.06 * SAMPLE_RATE), np.int16)
    notes = [_trim(espeak.say(word, replace(voice, pitch=_clamp(voice.pitch + step, 0, 100)), seed), edge_s=0.0)
             for word, step in zip(words, steps, strict=True)]
    return _trim(np.concatenate([part for note in notes for part in (note, gap)]))


def _melody(length: int, rng: np.random.Generator) -> list[int]:
    """Pitch offsets (eSpeak pitch units, about a semitone each at 4) of a walk on a pentatonic scale."""
    scale = (-8, -4, 0, 4, 10, 14, 18)
    degree, steps = 2, []
    for _ in range(length):
        steps.append(scale[degree])
        degree = int(np.clip(degree + rng.choice((-2, -1, 1, 1, 2)), 0, len(scale) - 1))
    return steps


def _trim(samples: np.ndarray, edge_s: float = EDGE_S) -> np.ndarray:
    """`samples` without leading and trailing silence, keeping `edge_s` of it at each end."""
    level = np.abs(samples.astype(np.int32))
    loud = np.flatnonzero(level > 0.03 * level.max(initial=0))
    if not loud.size:
        return samples[:0]
    edge = int(edge_s * SAMPLE_RATE)
    return samples[max(loud[0] - edge, 0):loud[-1] + edge + 1]


def _echo(samples: np.ndarray) -> np.ndarray:
    """Two fading repeats, 0.13 s apart, at the original's peak level."""
    delay = int(0.13 * SAMPLE_RATE)
    dry = samples.astype(np.float64)
    wet = np.zeros(len(dry) + 2 * delay)
    for tap, gain in enumerate((1.0, 0.45, 0.2)):
        wet[tap * delay:tap * delay + len(dry)] += gain * dry
    peak = np.abs(dry).max(initial=0.0)
    return (wet * (peak / max(np.abs(wet).max(), 1.0))).astype(np.int16)


def _breath(seed: int) -> np.ndarray:
    """A faint breath for a line without words ("...")."""
    rng = np.random.default_rng(seed)
    noise = np.cumsum(rng.standard_normal(int(BREATH_S * SAMPLE_RATE)))  # brown noise: soft, low
    noise -= np.linspace(noise[0], noise[-1], len(noise))
    return (noise / max(np.abs(noise).max(), 1e-9) * 300 * np.hanning(len(noise))).astype(np.int16)


def write_wav(path: Path, samples: np.ndarray, rate: int) -> None:
    """Write mono int16 `samples` to a 16-bit WAV file."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.asarray(samples, dtype="<i2").tobytes())

