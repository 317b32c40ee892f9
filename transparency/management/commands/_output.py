"""What the three export commands share: the output file's checks, and writing it only once the file is made."""

import hashlib
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError


def output_path(value: str) -> Path:
    output = Path(value)
    if output.is_dir():
        raise CommandError(f"{output} is a folder; give the name of the .csv file to write.")
    if not output.parent.exists():
        raise CommandError(f"The folder {output.parent} does not exist; create it or give another path.")
    return output


def produce(make):
    """Call ``make()``; a refusal becomes the command's error (nothing is written)."""
    try:
        return make()
    except ValidationError as error:
        raise CommandError(" ".join(error.messages))


def write(command, output: Path, data: bytes, rows: int, what: str) -> None:
    output.write_bytes(data)
    command.stdout.write(f"Wrote {output} ({len(data):,} bytes): {rows} {what}.")
    command.stdout.write(f"SHA-256 {hashlib.sha256(data).hexdigest()}")
