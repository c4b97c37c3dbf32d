"""Stored files: ids like Telegram's, paths for getFile, and image sizes for PhotoSize."""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import struct
from dataclasses import dataclass
from typing import Any

MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # getFile refuses bigger files on the real service


@dataclass(frozen=True)
class StoredFile:
    """A file uploaded by the bot or by a simulated user."""

    file_id: str
    file_unique_id: str
    content: bytes
    file_name: str | None
    mime_type: str | None
    file_path: str

    @property
    def size(self) -> int:
        """Size in bytes."""
        return len(self.content)

    def document(self) -> dict[str, Any]:
        """Render as a Document object."""
        doc: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
        }
        if self.file_name:
            doc["file_name"] = self.file_name
        if self.mime_type:
            doc["mime_type"] = self.mime_type
        return doc

    def file(self) -> dict[str, Any]:
        """Render as a File object, as getFile returns it."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "file_path": self.file_path,
        }


class FileStore:
    """Keep file contents by file_id and by download path."""

    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}

    def add(
        self, content: bytes, file_name: str | None, mime_type: str | None, folder: str
    ) -> StoredFile:
        """Store new content; every upload gets a fresh file_id, equal content one unique id."""
        number = len(self._by_id) + 1
        digest = hashlib.sha256(content).digest()
        raw_id = f"{folder}:{number}:".encode() + digest[:12]
        file_id = "BQACAgIAAx" + base64.urlsafe_b64encode(raw_id).decode().rstrip("=")
        unique_id = "AgAD" + base64.urlsafe_b64encode(digest[:9]).decode()
        if mime_type is None and file_name:
            mime_type = mimetypes.guess_type(file_name)[0]
        suffix = (mimetypes.guess_extension(mime_type or "") or "") if folder == "photos" else ""
        if file_name and "." in file_name:
            suffix = "." + file_name.rsplit(".", 1)[1]
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=unique_id,
            content=content,
            file_name=file_name,
            mime_type=mime_type,
            file_path=f"{folder}/file_{number}{suffix}",
        )
        self._by_id[file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        """Find a file by file_id."""
        return self._by_id.get(file_id)

    def by_path(self, file_path: str) -> StoredFile | None:
        """Find a file by the path getFile handed out."""
        return self._by_path.get(file_path)


def image_size(content: bytes) -> tuple[int, int] | None:
    """Read width and height from PNG, GIF or JPEG headers; None when it is not an image."""
    if content.startswith(b"\x89PNG\r\n\x1a\n") and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return width, height
    if content[:6] in (b"GIF87a", b"GIF89a") and len(content) >= 10:
        width, height = struct.unpack("<HH", content[6:10])
        return width, height
    if content.startswith(b"\xff\xd8"):
        return _jpeg_size(content)
    return None


def _jpeg_size(content: bytes) -> tuple[int, int] | None:
    """Walk JPEG segments to the first start-of-frame marker."""
    i = 2
    while i + 9 < len(content):
        if content[i] != 0xFF:
            return None
        marker = content[i + 1]
        length = struct.unpack(">H", content[i + 2 : i + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", content[i + 5 : i + 9])
            return width, height
        i += 2 + length
    return None
