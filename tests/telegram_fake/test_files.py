"""Photos and documents: uploaded once, reused by file_id, downloadable, limits enforced."""

from __future__ import annotations

import io
from datetime import timedelta

import aiohttp
import pytest
from PIL import Image
from telegram import Bot, InputFile, Message
from telegram.error import BadRequest

from bot.telegram_fake import FakeUser, TelegramFake

from .pictures import image_bytes


async def test_photo_uploaded_once_then_sent_by_file_id(
    bot: Bot, alice: FakeUser, tg: TelegramFake, png: bytes
) -> None:
    first = await bot.send_photo(alice.chat_id, png, caption="Knee to chest")
    sizes = first.photo
    assert [(s.width, s.height) for s in sizes] == [(90, 68), (400, 300)]
    assert len({s.file_id for s in sizes}) == 2
    assert len({s.file_unique_id for s in sizes}) == 2

    again = await bot.send_photo(alice.chat_id, sizes[-1].file_id, caption="Again")
    assert [s.file_id for s in again.photo] == [s.file_id for s in sizes]
    assert tg.uploads == 1
    assert len(tg.calls("sendPhoto", ok=True)) == 2

    card = await alice.next_message()
    assert card.caption == "Knee to chest"
    assert card.photo_file_id == sizes[-1].file_id
    assert card.photo_bytes == png
    assert (await alice.next_message()).photo_bytes == png


async def test_same_bytes_uploaded_twice_keep_their_unique_id(bot: Bot, alice: FakeUser) -> None:
    png = image_bytes()
    one = await bot.send_photo(alice.chat_id, png)
    two = await bot.send_photo(alice.chat_id, png)
    assert one.photo[-1].file_id != two.photo[-1].file_id
    assert one.photo[-1].file_unique_id == two.photo[-1].file_unique_id


async def test_unknown_file_id_is_a_bad_request(bot: Bot, alice: FakeUser) -> None:
    with pytest.raises(BadRequest, match="Wrong file identifier/http url specified"):
        await bot.send_photo(alice.chat_id, "AgACdoesnotexist")


async def test_get_file_and_download_return_the_uploaded_bytes(
    bot: Bot, alice: FakeUser, png: bytes
) -> None:
    sent = await bot.send_photo(alice.chat_id, png)
    file = await bot.get_file(sent.photo[-1].file_id)
    assert file.file_size == len(png)
    assert bytes(await file.download_as_bytearray()) == png
    with pytest.raises(BadRequest, match="Invalid file_id"):
        await bot.get_file("nope")


async def test_document_upload_and_reuse(bot: Bot, alice: FakeUser, tg: TelegramFake) -> None:
    data = b"day,stretch,done\n1,knee hug,yes\n"
    sent = await bot.send_document(
        alice.chat_id, InputFile(data, filename="progress.csv"), caption="Your export"
    )
    assert sent.document is not None
    assert sent.document.file_name == "progress.csv"
    assert sent.document.mime_type == "text/csv"
    again = await bot.send_document(alice.chat_id, sent.document.file_id)
    assert again.document is not None
    assert again.document.file_id == sent.document.file_id
    assert tg.uploads == 1
    assert (await alice.next_message()).file_bytes == data
    file = await bot.get_file(sent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == data
    with pytest.raises(BadRequest, match=r"(?i)can't use file of type document as photo"):
        await bot.send_photo(alice.chat_id, sent.document.file_id)


async def test_caption_limit_is_counted_after_entity_parsing(
    bot: Bot, alice: FakeUser, png: bytes
) -> None:
    long_markup = "<b>" + "y" * 1024 + "</b>"  # 1031 characters of source, 1024 visible
    sent = await bot.send_photo(alice.chat_id, png, caption=long_markup, parse_mode="HTML")
    assert sent.caption is not None
    assert len(sent.caption) == 1024
    assert sent.caption_entities[0].type == "bold"
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_photo(alice.chat_id, png, caption="y" * 1025)
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_photo(alice.chat_id, sent.photo[-1].file_id, caption="😀" * 513)
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.send_photo(alice.chat_id, png, caption="<b>x", parse_mode="HTML")


async def test_photo_that_is_not_an_image_is_refused(bot: Bot, alice: FakeUser) -> None:
    with pytest.raises(BadRequest, match="Image_process_failed"):
        await bot.send_photo(alice.chat_id, InputFile(b"not a picture", filename="x.jpg"))


async def test_lenient_mode_accepts_any_bytes_as_a_photo() -> None:
    async with TelegramFake(validate_images=False) as tg:
        tg.user(7, "Lenient")
        async with Bot(**tg.bot_kwargs()) as bot:
            sent = await bot.send_photo(7, InputFile(b"fake", filename="x.jpg"))
            assert sent.photo[-1].width == 512


async def test_absurd_aspect_ratio_is_refused(bot: Bot, alice: FakeUser) -> None:
    with pytest.raises(BadRequest, match="Photo_invalid_dimensions"):
        await bot.send_photo(alice.chat_id, image_bytes(2100, 100))


async def test_unknown_file_path_is_404(tg: TelegramFake) -> None:
    url = f"{tg.base_file_url}{tg.token}/photos/nothing.jpg"
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        assert response.status == 404


# -- sendAnimation: a GIF or a silent MP4, up to 50 MB, reused by file_id ---------------------


def gif_bytes(frames: int = 4, frame_ms: int = 500) -> bytes:
    buffer = io.BytesIO()
    images = [Image.new("RGB", (300, 200), (60 * i, 120, 200)) for i in range(frames)]
    images[0].save(
        buffer, "GIF", save_all=True, append_images=images[1:], duration=frame_ms, loop=0
    )
    return buffer.getvalue()


async def test_animation_uploaded_once_then_sent_by_file_id(
    bot: Bot, alice: FakeUser, tg: TelegramFake
) -> None:
    gif = gif_bytes()
    first = await bot.send_animation(
        alice.chat_id,
        InputFile(gif, filename="knee-hugs.gif"),
        caption="<b>Knee hugs</b>",
        parse_mode="HTML",
    )
    assert first.animation is not None
    assert (first.animation.width, first.animation.height) == (300, 200)
    assert first.animation.duration == timedelta(seconds=2)
    assert first.animation.mime_type == "image/gif"
    # Telegram sets the document too, for clients that predate animations.
    assert first.document is not None
    assert first.document.file_id == first.animation.file_id

    again = await bot.send_animation(alice.chat_id, first.animation.file_id, caption="Again")
    assert again.animation is not None
    assert again.animation.file_id == first.animation.file_id
    assert tg.uploads == 1

    card = await alice.next_message()
    assert card.kind == "animation"
    assert card.caption == "Knee hugs"
    assert card.entities[0]["type"] == "bold"
    assert card.file_bytes == gif
    file = await bot.get_file(first.animation.file_id)
    assert bytes(await file.download_as_bytearray()) == gif


async def test_an_animation_caption_is_limited_like_a_photos(bot: Bot, alice: FakeUser) -> None:
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_animation(alice.chat_id, gif_bytes(), caption="y" * 1025)


async def test_a_photo_or_a_still_image_is_not_an_animation(
    bot: Bot, alice: FakeUser, png: bytes
) -> None:
    photo = await bot.send_photo(alice.chat_id, png)
    with pytest.raises(BadRequest, match=r"(?i)can't use file of type photo as animation"):
        await bot.send_animation(alice.chat_id, photo.photo[-1].file_id)
    with pytest.raises(BadRequest, match=r"(?i)not a gif or an mp4"):
        await bot.send_animation(alice.chat_id, InputFile(png, filename="still.gif"))
    with pytest.raises(BadRequest, match=r"(?i)not a gif or an mp4"):
        await bot.send_animation(alice.chat_id, InputFile(b"junk", filename="x.gif"))
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_animation(alice.chat_id, "CgACdoesnotexist")


async def test_an_mp4_must_be_silent(bot: Bot, alice: FakeUser) -> None:
    head = b"\0\0\0\x18ftypisom" + b"\0" * 40
    silent = await bot.send_animation(alice.chat_id, InputFile(head, filename="loop.mp4"))
    assert silent.animation is not None
    assert silent.animation.mime_type == "video/mp4"
    with_sound = head + b"hdlr" + b"\0" * 8 + b"soun"
    with pytest.raises(BadRequest, match=r"(?i)sound track"):
        await bot.send_animation(alice.chat_id, InputFile(with_sound, filename="loud.mp4"))


async def test_the_caption_of_an_animation_can_be_edited(bot: Bot, alice: FakeUser) -> None:
    sent = await bot.send_animation(alice.chat_id, gif_bytes(), caption="before")
    edited = await bot.edit_message_caption(alice.chat_id, sent.message_id, caption="after")
    assert isinstance(edited, Message)
    assert edited.caption == "after"
