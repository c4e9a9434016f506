#!/usr/bin/python3
"""Writes tests/references/checkpoints/zip64.pth: torchvision.pth's records in a zip that uses zip64 throughout.

Run with /usr/bin/python3 (PyTorch 1.13). torch.save switches to zip64 only past 4 GiB, so the records of
torchvision.pth (a torch.save file) are written again here by CPython's zipfile, stored (uncompressed) as torch
writes them, with zipfile's zip64 threshold lowered to 1 byte: every central directory entry then carries its
sizes (and, after the first, its local header offset) in a zip64 extra field with 0xFFFFFFFF in the 32-bit slots,
and a zip64 end-of-central-directory record and locator precede the end record. zipfile still writes the small
true values into the end record's 16/32-bit fields; APPNOTE.TXT 4.4.1.4 says a field too small for its value is
set to all ones (0xFFFF / 0xFFFFFFFF) with the zip64 record holding it, which is what torch's miniz writes past
4 GiB, so the entry count and directory offset there are set to all ones too.

The file is checked before it is written: CPython's zipfile reads every record back unchanged, and torch.load
reads it to tensors equal to torch.load of torchvision.pth.
"""
import io
import os
import struct
import zipfile

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHECKPOINTS = os.path.join(ROOT, "tests", "references", "checkpoints")
SOURCE = os.path.join(CHECKPOINTS, "torchvision.pth")
OUT = os.path.join(CHECKPOINTS, "zip64.pth")


def main():
    with zipfile.ZipFile(SOURCE) as source:
        records = [(info.filename, source.read(info)) for info in source.infolist()]

    limit = zipfile.ZIP64_LIMIT
    zipfile.ZIP64_LIMIT = 1
    try:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as target:
            for name, data in records:
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_STORED
                target.writestr(info, data)
    finally:
        zipfile.ZIP64_LIMIT = limit
    data = bytearray(buffer.getvalue())

    end = len(data) - 22
    assert data[end:end + 4] == b"PK\x05\x06"
    assert data[end - 20:end - 16] == b"PK\x06\x07", "zipfile wrote no zip64 locator"
    # End record: signature, disk, directory disk, entries here (H), entries (H), directory size (I), offset (I).
    struct.pack_into("<HHII", data, end + 8, 0xFFFF, 0xFFFF, struct.unpack_from("<I", data, end + 12)[0], 0xFFFFFFFF)
    data = bytes(data)

    with zipfile.ZipFile(io.BytesIO(data)) as check:
        assert [(i.filename, check.read(i)) for i in check.infolist()] == records
        central = [i for i in check.infolist() if i.header_offset > 0]
        assert central and all(b"\x01\x00" == i.extra[:2] for i in check.infolist()), "an entry lacks its zip64 extra"
    expected = torch.load(SOURCE)
    actual = torch.load(io.BytesIO(data))
    assert list(actual) == list(expected) and all(torch.equal(actual[k], expected[k]) for k in expected)

    with open(OUT, "wb") as f:
        f.write(data)
    print(f"wrote {OUT}: {len(records)} records, {len(data)} bytes")


if __name__ == "__main__":
    main()
