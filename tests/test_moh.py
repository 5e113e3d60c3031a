"""Music-on-hold classes with the real engine: order, shuffle, one shared player, live changes."""

import asyncio
import itertools
import random

import pytest
import pytest_asyncio

from pbx.calls import Leg
from pbx.catalog import Catalog, SettingError
from pbx.moh import MusicOnHold
from pbx.moh_classes import MusicClass, MusicLibrary, clean_title
from pbx.transcoder import Transcoder
from tests.harness import free_port
from tests.phone_client import Phone
from tests.tone_track import tone_track, write_tone

TONES_HZ = [500, 900, 1300, 1700]


async def blocking(fn, *args, **kwargs):
    """A phone's blocking call, off the loop the engine reports to."""
    return await asyncio.to_thread(fn, *args, **kwargs)


@pytest_asyncio.fixture
async def music(engine_stack, config_store, tmp_path):
    """A library whose class "tones" holds four tones (titled in order), on the engine."""
    default_dir = tmp_path / "default"
    default_dir.mkdir()
    write_tone(default_dir / "only.wav", 300, 1.0)
    library = MusicLibrary(
        Catalog("moh", MusicClass, config_store),
        tmp_path / "moh",
        default_dir,
        Transcoder(8000, tmp_path / "work"),
        shuffle=random.Random(4),
    )
    await library.set_class("tones")
    for index, hz in enumerate(TONES_HZ):
        tone = write_tone(tmp_path / f"{hz}.wav", hz, 0.5, rate_hz=16000)
        await library.upload("tones", f"/home/me/{index} tone {hz}.mp3", tone.read_bytes())
    moh = MusicOnHold(engine_stack.engine, engine_stack.calls, engine_stack.bus, library.playlist)
    library.moh = moh
    return library


def follows(heard: list[int], order: list[int]) -> bool:
    """Whether each tone heard is followed by the next one of `order` (round and round)."""
    pairs = itertools.pairwise(heard)
    return len(heard) >= 3 and all(order[(order.index(a) + 1) % len(order)] == b for a, b in pairs)


async def on_hold(engine_stack, music, count: int) -> tuple[list[Phone], list[Leg]]:
    """`count` phones calling the engine, each answered and put on class "tones"."""
    legs: list[Leg] = []
    all_on_hold = asyncio.Event()

    async def hold(leg: Leg) -> bool:
        await engine_stack.calls.answer(leg.leg_id)
        await engine_stack.calls.wait_media(leg.leg_id)
        await music.moh.start(leg.leg_id, "tones")
        legs.append(leg)
        if len(legs) == count:
            all_on_hold.set()
        return True

    engine_stack.calls.add_offer_handler(hold)
    phones = [Phone.start(port=free_port(), name=f"caller{i}") for i in range(count)]
    for phone in phones:
        await blocking(phone.call, engine_stack.uri("hold"))
        await blocking(phone.wait_for, "media", timeout=10)
    await asyncio.wait_for(all_on_hold.wait(), 10)
    return phones, legs


async def heard(phones: list[Phone], tmp_path, seconds: float = 2.6) -> list[list[int]]:
    """What each phone hears over the same `seconds`, as tone sequences."""
    paths = [tmp_path / f"heard{i}.wav" for i in range(len(phones))]
    await asyncio.gather(
        *(blocking(p.record, path, seconds) for p, path in zip(phones, paths, strict=True))
    )
    for phone in phones:
        await blocking(phone.wait_for, "recorded", timeout=10)
    return [tone_track(path, TONES_HZ) for path in paths]


@pytest.mark.asyncio
@pytest.mark.timeout(90)
async def test_two_listeners_share_one_player_and_hear_the_files_in_order(
    engine_stack, music, tmp_path
):
    phones, _ = await on_hold(engine_stack, music, 2)
    try:
        assert music.moh.listeners() == {"tones": 2}
        assert music.moh.player_of("tones") is not None
        first, second = await heard(phones, tmp_path)
        assert follows(first, TONES_HZ), first
        assert first == second, "one player: both hear the same music at the same moment"
    finally:
        for phone in phones:
            phone.close()


@pytest.mark.asyncio
@pytest.mark.timeout(90)
async def test_a_shuffled_class_plays_another_order_and_changes_reach_listeners_at_once(
    engine_stack, music, tmp_path
):
    phones, _ = await on_hold(engine_stack, music, 1)
    try:
        before = music.moh.player_of("tones")
        await music.set_class("tones", "shuffled")
        assert music.moh.player_of("tones") != before, "a new player, with the new order"
        assert music.moh.listeners() == {"tones": 1}, "the listener moved to it"
        titles = music.get("tones").files
        shuffled = [
            int(titles[path.rsplit("/", 1)[-1]].rsplit(" ", 1)[-1])
            for path in music.playlist("tones")
        ]
        assert sorted(shuffled) == TONES_HZ
        (heard_now,) = await heard(phones, tmp_path, seconds=3.2)
        assert heard_now, "music, not silence"
        assert not follows(heard_now, TONES_HZ) or len(set(heard_now)) < 3
    finally:
        for phone in phones:
            phone.close()


@pytest.mark.asyncio
async def test_classes_are_checked_and_the_default_class_always_exists(music):
    assert [c.name for c in music.classes()] == ["default", "tones"]
    assert music.playlist("default")[-1].endswith("/default/only.wav")
    assert music.playlist("nosuch") == []
    with pytest.raises(SettingError, match="order must be"):
        await music.set_class("tones", "random")
    with pytest.raises(SettingError, match="music class name"):
        await music.set_class("../etc", "ordered")
    assert clean_title("C:\\music\\01 Night.mp3") == "01 Night"
    file = next(iter(music.get("tones").files))
    await music.remove_file("tones", file)
    assert len(music.get("tones").files) == 3
    await music.delete_class("tones")
    assert [c.name for c in music.classes()] == ["default"]
