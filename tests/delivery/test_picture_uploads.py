"""A picture is uploaded once for every process on the database: replicas that start a burst
together do not each upload the whole pack."""

from __future__ import annotations

from bot.config import DEFAULT_CONTENT_DIR
from bot.db.engine import SessionFactory
from bot.delivery.picture_uploads import PictureUploads


async def test_a_replica_finds_the_file_id_another_stored_after_it_read_them(
    session_factory: SessionFactory,
) -> None:
    picture = next((DEFAULT_CONTENT_DIR / "images").glob("*.png"))
    first, second = PictureUploads(session_factory), PictureUploads(session_factory)
    key, file_id = await first.known(picture)  # read before anyone uploaded
    assert file_id is None
    assert await first.uploaded_elsewhere(key) is None
    await second.uploaded(picture, key, "AgAC-from-the-other-replica")
    assert first.file_id(key) is None
    assert await first.uploaded_elsewhere(key) == "AgAC-from-the-other-replica"
    assert first.file_id(key) == "AgAC-from-the-other-replica"
