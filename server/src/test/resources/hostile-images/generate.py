#!/usr/bin/env python3
"""Writes the hostile-image corpus beside this script, and manifest.json saying what /predict must answer.

Header bombs (a header claiming far more pixels than the file holds), truncated files, huge frame
counts, zero sizes and format oddities, for PNG, GIF, JPEG, BMP, WebP and TIFF. Every file is small:
the bombs are headers patched or written by hand, the oddities are Pillow images of a few pixels.
Deterministic: two runs write identical bytes.

    python3 -m venv /work/venv-images && /work/venv-images/bin/pip install pillow   # PIP_INDEX_URL as in README
    /work/venv-images/bin/python server/src/test/resources/hostile-images/generate.py

manifest.json maps each file to the HTTP status POST /predict must give it on the bundled default model:
400 (not an image, truncated, corrupt, empty), 413 (over MAX_IMAGE_PIXELS by its header) or 200 (an odd
but valid image, which must still be served).
"""
import io
import json
import os
import struct
import zlib

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
manifest = {}


def write(name, data, expect, why):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)
    manifest[name] = {"expect": expect, "why": why}


def pattern(w, h, mode="RGB"):
    """A small deterministic test picture (gradients), so truncation cuts real entropy-coded data."""
    img = Image.new("RGB", (w, h))
    img.putdata([((x * 7 + y) % 256, (y * 5) % 256, (x * y) % 256) for y in range(h) for x in range(w)])
    return img.convert(mode) if mode != "RGB" else img


def encoded(img, fmt, **kw):
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


# ---- PNG

def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)


def png(width, height, bit_depth, color_type, rows_raw):
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(rows_raw, 9))
            + png_chunk(b"IEND", b""))


def png_cases():
    # IHDR says 20000x20000 RGB (400 M pixels, 1.2 GB raw); the data is one row.
    write("png-header-20000x20000.png", png(20000, 20000, 8, 2, b"\0" * (1 + 3 * 20000)), 413,
          "IHDR claims 20000x20000")
    # A complete, valid 12000x12000 1-bit image (144 M pixels) that compresses to ~20 KB.
    write("png-complete-12000x12000-1bit.png", png(12000, 12000, 1, 0, (b"\0" * (1 + 1500)) * 12000), 413,
          "a real 12000x12000 image, over the pixel limit")
    write("png-zero-width.png", png(0, 16, 8, 2, b""), 400, "IHDR width 0")
    ok = encoded(pattern(64, 48), "PNG")
    write("png-truncated-half.png", ok[: len(ok) // 2], 400, "cut in the middle of IDAT")
    write("png-no-idat.png", ok[:33] + png_chunk(b"IEND", b""), 400, "IHDR then IEND, no pixel data")
    bad_crc = bytearray(ok)
    bad_crc[40] ^= 0xFF
    write("png-corrupt-idat.png", bytes(bad_crc), 400, "a flipped byte inside the compressed data")
    write("png-8bit-rgb.png", encoded(pattern(8, 6), "PNG"), 200,
          "8-bit control case")
    img16 = Image.new("I;16", (8, 6))
    img16.putdata([x * 4000 + y * 1000 for y in range(6) for x in range(8)])
    write("png-16bit-gray.png", encoded(img16, "PNG"), 200, "16-bit grayscale")
    rgb16 = png(4, 4, 16, 2, b"".join(b"\0" + bytes(range(24)) for _ in range(4)))
    write("png-16bit-truecolor.png", rgb16, 200, "16-bit RGB")
    pal = pattern(8, 6).convert("P", palette=Image.ADAPTIVE, colors=4)
    pal.info["transparency"] = 0
    write("png-palette-transparent.png", encoded(pal, "PNG", transparency=0), 200, "palette with tRNS")


# ---- GIF

def gif_frame(width, height, left=0, top=0):
    # image descriptor, LZW minimum code size 2, one data sub-block (clear, 0, end), block terminator
    return b"," + struct.pack("<HHHHB", left, top, width, height, 0) + b"\x02\x02\x44\x01\x00"


def gif(width, height, frames):
    head = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\0\0\0\xff\xff\xff"
    return head + b"".join(frames) + b";"


def gif_cases():
    # The 35-byte GIF of the finding: a 1x1 screen whose only frame claims 20000x20000.
    write("gif-frame-header-20000x20000.gif", gif(1, 1, [gif_frame(20000, 20000)]), 413,
          "frame descriptor claims 20000x20000")
    write("gif-screen-65535x65535.gif", gif(65535, 65535, [gif_frame(65535, 65535)]), 413,
          "screen and frame claim 65535x65535")
    # 10,000 frames of 1x1: only the first frame is decoded and the frame count is never scanned for.
    write("gif-10000-frames.gif", gif(1, 1, [gif_frame(1, 1)] * 10000), 200,
          "10,000 frames; served from the first frame at the cost of one")
    write("gif-10000-frames-each-20000x20000.gif", gif(1, 1, [gif_frame(20000, 20000)] * 10000), 413,
          "10,000 frames each claiming 20000x20000")
    write("gif-zero-size-frame.gif", gif(1, 1, [gif_frame(0, 0)]), 400, "a 0x0 frame")
    write("gif-no-frames.gif", gif(1, 1, []), 400, "screen and trailer, no frame")
    ok = encoded(pattern(64, 48), "GIF")
    write("gif-truncated-half.gif", ok[: len(ok) // 2], 400, "cut in the middle of the LZW data")


# ---- JPEG

def jpeg_with_size(data, width, height):
    """Patches the frame header (SOF0/1/2) of a JPEG to the given size."""
    out = bytearray(data)
    i = 2
    while i < len(out):
        marker = out[i + 1]
        length = struct.unpack(">H", out[i + 2:i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            out[i + 5:i + 9] = struct.pack(">HH", height, width)
            return bytes(out)
        i += 2 + length
    raise ValueError("no SOF")


def jpeg_cases():
    small = encoded(pattern(16, 16), "JPEG", quality=90)
    # 20000x20000: under the JDK reader's own 2^31-byte refusal, so only a pixel limit stops it.
    write("jpeg-header-20000x20000.jpg", jpeg_with_size(small, 20000, 20000), 413, "SOF0 claims 20000x20000")
    prog = encoded(pattern(16, 16), "JPEG", quality=90, progressive=True)
    write("jpeg-progressive-header-20000x20000.jpg", jpeg_with_size(prog, 20000, 20000), 413,
          "SOF2 claims 20000x20000 (a progressive decoder buffers every coefficient)")
    write("jpeg-zero-height.jpg", jpeg_with_size(small, 16, 0), 400, "SOF height 0 (DNL)")
    ok = encoded(pattern(64, 48), "JPEG", quality=90)
    write("jpeg-truncated-half.jpg", ok[: len(ok) // 2], 400,
          "half the scan missing: the JPEG reader fills it grey and only warns")
    okp = encoded(pattern(64, 48), "JPEG", quality=90, progressive=True)
    write("jpeg-progressive-truncated-half.jpg", okp[: len(okp) // 2], 400, "progressive, half missing")
    write("jpeg-soi-only.jpg", b"\xff\xd8\xff", 400, "start of image and nothing else")
    write("jpeg-cmyk.jpg", encoded(pattern(8, 8).convert("CMYK"), "JPEG", quality=90), 200,
          "4-channel Adobe CMYK (the JDK reader takes it)")
    write("jpeg-grayscale.jpg", encoded(pattern(8, 8, "L"), "JPEG", quality=90), 200, "1-channel JPEG")


# ---- BMP

def bmp(width, height, bpp=24, pixels=b"", compression=0, palette=b""):
    colors = len(palette) // 4
    header = struct.pack("<IiiHHIIiiII", 40, width, height, 1, bpp, compression, len(pixels), 2835, 2835, colors,
                         0) + palette
    return b"BM" + struct.pack("<IHHI", 14 + len(header) + len(pixels), 0, 0, 14 + len(header)) + header + pixels


def bmp_cases():
    # Uncompressed, the JDK reader compares the size with the file; RLE8 is not compared: a 4-byte
    # "end of bitmap" stream stands for 400 M pixels.
    palette = b"\0\0\0\0\xff\xff\xff\0"
    write("bmp-rle8-header-20000x20000.bmp", bmp(20000, 20000, 8, b"\0\1", 1, palette), 413,
          "RLE8 info header claims 20000x20000; the data is one end-of-bitmap code")
    write("bmp-header-20000x20000.bmp", bmp(20000, 20000), 400,
          "info header claims 20000x20000 with no pixels: the JDK reader's header check refuses it")
    write("bmp-topdown-header-20000x20000.bmp", bmp(20000, -20000), 400, "top-down (negative height), likewise")
    write("bmp-zero-width.bmp", bmp(0, 10), 400, "width 0")
    ok = encoded(pattern(64, 48), "BMP")
    write("bmp-truncated-half.bmp", ok[: len(ok) // 2], 400, "half the rows missing")


# ---- WebP

def riff(chunks):
    body = b"WEBP" + b"".join(fourcc + struct.pack("<I", len(d)) + d + (b"\0" if len(d) % 2 else b"")
                              for fourcc, d in chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def webp_chunks(data):
    out, i = [], 12
    while i + 8 <= len(data):
        fourcc, size = data[i:i + 4], struct.unpack("<I", data[i + 4:i + 8])[0]
        out.append((fourcc, data[i + 8:i + 8 + size]))
        i += 8 + size + (size & 1)
    return out


def webp_cases():
    lossless = encoded(pattern(16, 16), "WEBP", lossless=True)
    (fourcc, vp8l), = webp_chunks(lossless)
    assert fourcc == b"VP8L"
    # VP8L: signature 0x2f, then 14 bits width-1, 14 bits height-1, alpha bit, 3 version bits.
    bits = struct.unpack("<I", vp8l[1:5])[0]
    big = (bits & ~((1 << 28) - 1)) | 16382 | (16382 << 14)
    write("webp-lossless-header-16383x16383.webp", riff([(b"VP8L", vp8l[:1] + struct.pack("<I", big) + vp8l[5:])]),
          413, "VP8L header claims 16383x16383")
    lossy = encoded(pattern(16, 16), "WEBP", quality=80)
    (fourcc, vp8), = webp_chunks(lossy)
    assert fourcc == b"VP8 "
    # VP8 key frame: 3-byte tag, start code 9d 01 2a, 14-bit width and height (2 scale bits above each).
    vp8_big = vp8[:6] + struct.pack("<HH", 16383, 16383) + vp8[10:]
    write("webp-lossy-header-16383x16383.webp", riff([(b"VP8 ", vp8_big)]), 413, "VP8 header claims 16383x16383")
    vp8x = struct.pack("<I", 0)[:4] + (16777215).to_bytes(3, "little") + (16777215).to_bytes(3, "little")
    write("webp-extended-canvas-16777216x16777216.webp", riff([(b"VP8X", vp8x), (b"VP8 ", vp8_big)]), 413,
          "VP8X canvas claims 2^24 x 2^24")
    ok = encoded(pattern(64, 48), "WEBP", lossless=True)
    write("webp-lossless-truncated-half.webp", ok[: len(ok) // 2], 400,
          "lossless, half missing (the plugin decodes what is there without an error)")
    okl = encoded(pattern(64, 48), "WEBP", quality=80)
    write("webp-lossy-truncated-half.webp", okl[: len(okl) // 2], 400, "lossy, half missing")
    write("webp-riff-only.webp", b"RIFF\x04\0\0\0WEBP", 400, "a RIFF header with no chunk")


# ---- TIFF

def tiff(width, height, strip=b"\0" * 16, photometric=1, samples=1):
    entries = [(256, 4, 1, width), (257, 4, 1, height), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, photometric),
               (273, 4, 1, 0), (277, 3, 1, samples), (278, 4, 1, height), (279, 4, 1, len(strip))]
    ifd_size = 2 + 12 * len(entries) + 4
    data_offset = 8 + ifd_size
    ifd = struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        value = data_offset if tag == 273 else value
        ifd += struct.pack("<HHII", tag, kind, count, value) if kind == 4 else struct.pack("<HHIHH", tag, kind, count, value, 0)
    return b"II*\0" + struct.pack("<I", 8) + ifd + struct.pack("<I", 0) + strip


def tiff_cases():
    write("tiff-header-40000x40000.tif", tiff(40000, 40000), 413, "IFD claims 40000x40000")
    write("tiff-zero-width.tif", tiff(0, 4), 400, "ImageWidth 0")
    ok = encoded(pattern(64, 48), "TIFF")
    write("tiff-truncated-half.tif", ok[: len(ok) // 2], 400, "strip data cut in half")
    okz = encoded(pattern(64, 48), "TIFF", compression="tiff_deflate")
    write("tiff-deflate-truncated-half.tif", okz[: len(okz) // 2], 400, "deflate strip cut in half")
    write("tiff-small.tif", tiff(4, 4, strip=bytes(range(16))), 200, "a valid 4x4 grayscale TIFF")


# ---- EXIF orientation in the containers other than JPEG/PNG (which the Java tests write themselves)

def oriented_cases():
    # Stored 6x4: left half red, right half blue, top-left pixel white. Orientation 6 says "turn 90
    # degrees clockwise": upright it is 4x6 with the white pixel at the top right.
    img = Image.new("RGB", (6, 4), (255, 0, 0))
    img.paste((0, 0, 255), (3, 0, 6, 4))
    img.putpixel((0, 0), (255, 255, 255))
    exif = Image.Exif()
    exif[274] = 6
    write("webp-exif-orientation-6.webp", encoded(img, "WEBP", lossless=True, exif=exif.tobytes()), 200,
          "6x4 stored, EXIF orientation 6 (upright 4x6)")
    write("tiff-orientation-6.tif", encoded(img, "TIFF", tiffinfo={274: 6}), 200,
          "6x4 stored, Orientation tag 6 (upright 4x6)")


# ---- not images

def other_cases():
    write("empty.bin", b"", 400, "zero bytes")
    write("text.txt", b"this is not an image\n" * 10, 400, "text")
    write("random-1k.bin", bytes((i * 7919 + 13) % 251 for i in range(1024)), 400, "bytes that are no format")


for cases in (png_cases, gif_cases, jpeg_cases, bmp_cases, webp_cases, tiff_cases, oriented_cases, other_cases):
    cases()
with open(os.path.join(HERE, "manifest.json"), "w") as f:
    json.dump(dict(sorted(manifest.items())), f, indent=1)
    f.write("\n")
print(f"{len(manifest)} files, {sum(os.path.getsize(os.path.join(HERE, n)) for n in manifest)} bytes")
