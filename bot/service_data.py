"""The operator's service data for a running service: read the file named by
SERVICE_DIRECTORY_FILE (or the shipped sample), and refuse production without the
real data. See docs/operator-data.md."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from flows.service_directory import (
    DirectoryError,
    ServiceDirectory,
    missing_for_production,
    parse_directory,
    sample_directory,
)

if TYPE_CHECKING:  # `intake route` reads the service data without loading the settings
    from bot.settings import Settings

__all__ = ["ServiceDataError", "load_service_directory", "read_service_directory"]


class ServiceDataError(RuntimeError):
    """The service data cannot be used: each line names the file and what to do."""


def load_service_directory(settings: Settings) -> ServiceDirectory:
    """The service data for these settings; `ServiceDataError` with every problem."""
    return read_service_directory(
        settings.service_directory_file, production=settings.environment == "production"
    )


def read_service_directory(path: Path | None, *, production: bool) -> ServiceDirectory:
    """The service data of the file at `path` (None: the shipped sample, refused in
    production); `ServiceDataError` with every problem."""
    if path is None:
        if production:
            raise ServiceDataError(
                "SERVICE_DIRECTORY_FILE is not set: production needs the loket's real phone, "
                "e-mail, address and opening hours, and a night shelter and cold-weather "
                "shelter per region (docs/operator-data.md)"
            )
        return sample_directory()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ServiceDataError(
            f"SERVICE_DIRECTORY_FILE: cannot read {path} ({error.strerror or error})"
        ) from None
    try:
        directory = parse_directory(text, str(path))
    except DirectoryError as error:
        raise ServiceDataError(str(error)) from None
    if production:
        missing = missing_for_production(directory)
        if missing:
            raise ServiceDataError(
                "\n".join(["production needs this service data, which is missing:", *missing])
            )
    return directory
