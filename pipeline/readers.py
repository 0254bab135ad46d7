"""Turn one input file into its source text (the text offsets refer to), or a clear rejection.

Every rejection is an InputRejected with a short machine-readable `error` and a message that
names the file, says what went wrong and what to do; the pipeline lists them in errors.csv.
"""
from __future__ import annotations

import codecs
import errno
import io
import os
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import regex

SUPPORTED_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".markdown", ".pdf", ".docx", ".html", ".htm")
# Plain text as far as offsets go: the decoded file is the source text. Markdown's markup (front matter,
# **bold**, <!-- comments -->) is removed later by clean.py through the offset map, never here.
_TEXT_FORMATS = {".txt": "txt", ".md": "md", ".markdown": "md"}

_SAMPLE = 256 * 1024  # bytes given to charset-normalizer: detection cost must not grow with the file
_CHUNK = 1 << 20      # chunked decoding keeps the peak near bytes + 2 x text (one-shot decoders overallocate)
_ASCII = bytes(range(128))
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_BAD_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")  # controls (not \t\n\v\f\r) and U+FFFD
_BLANK = re.compile(r"[\s\ufeff]*\Z")
_HAN = regex.compile(r"\p{Han}")
_BINARY = "binary data, not text: {} (check that it really is a text file; save it as UTF-8 text)"
_REPLACE = "(replace it with the bulletin's text or remove it)"
_OCR = "needs OCR (scan it with an OCR tool and add the .txt)"


class InputRejected(Exception):
    """A file that cannot be taken (stage "read"): `error` is a short type, `message` says what to do."""

    stage = "read"

    def __init__(self, error: str, message: str):
        super().__init__(message)
        self.error = error
        self.message = message


@dataclass(frozen=True)
class SourceText:
    text: str      # the source text offsets refer to
    format: str    # "txt" | "md" | "pdf" | "docx" | "html"
    encoding: str  # txt, md: the codec with data.decode(encoding) == text; "" for the other formats


def _decode_all(data: bytes, encoding: str) -> str:
    """Strict decode in chunks, so a 50 MB file costs about its bytes plus twice its text."""
    dec = codecs.getincrementaldecoder(encoding)("strict")
    view, parts = memoryview(data), []
    for i in range(0, len(data) + 1, _CHUNK):
        chunk = view[i:i + _CHUNK]
        try:
            parts.append(dec.decode(chunk, i + _CHUNK > len(data)))
        except UnicodeDecodeError as e:
            if isinstance(e.object, bytes):  # held-back bytes + this chunk: make the position absolute
                e.start += i + len(chunk) - len(e.object)
            raise
    return "".join(parts)


def _undecodable(encoding: str, e: UnicodeDecodeError) -> InputRejected:
    return InputRejected("undecodable", f"not valid {encoding} near byte {e.start}: damaged, or mixed "
                         "encodings (repair it or re-save it as UTF-8)")


def _detect(data: bytes) -> str:
    """charset-normalizer on a prefix, limited to encodings a Chinese bulletin can be in."""
    sample = data[:_SAMPLE]
    if b"\0" in data:  # a text with NULs can only be UTF-16 without BOM (ASCII, 一 U+4E00 ...)
        if len(data) % 2:
            raise InputRejected("binary", _BINARY.format("NUL bytes, and an odd length rules out UTF-16"))
        candidates, sample = ["utf_16_le", "utf_16_be"], sample[:len(sample) // 2 * 2]
    else:
        candidates, cut = ["gb18030", "big5"], sample.rfind(b"\n")  # gb18030: superset of gbk/gb2312
        if len(data) > _SAMPLE and cut > _SAMPLE // 2:
            sample = sample[:cut + 1]  # do not hand it a split character
    from charset_normalizer import from_bytes  # lazy: only a text that is not UTF-8 needs it (12 ms of start-up)
    best = from_bytes(sample, cp_isolation=candidates).best()
    if best is None and candidates[0] == "gb18030":
        _raise_if_damaged_gb18030(data)
    if best is None:
        tried = " or ".join(c.replace("_", "-").upper() for c in candidates)
        why = f"not UTF-8, nor {tried}" if candidates[0] == "gb18030" else f"NUL bytes, and not {tried}"
        raise InputRejected("binary", _BINARY.format(why))
    return best.encoding.replace("_", "-")


def _raise_if_damaged_gb18030(data: bytes) -> None:
    """GBK/GB18030 Chinese with a few bad bytes (cut inside a character, a byte lost or changed) is not
    binary data: charset-normalizer refuses any decode error, so say where the damage is instead."""
    text = data[:_SAMPLE].decode("gb18030", errors="replace")
    if text.count("\ufffd") <= 0.01 * len(text) + 1 and len(_HAN.findall(text)) >= 0.3 * len(text):
        try:
            _decode_all(data, "gb18030")
        except UnicodeDecodeError as e:
            raise InputRejected("undecodable", f"not valid gb18030 (GBK) near byte {e.start}: damaged, cut off "
                                "inside a character, or mixed encodings (repair it or re-save it as UTF-8)") from None


def _checked(text: str, encoding: str) -> tuple[str, str]:
    head = text[:_SAMPLE]
    if head and len(_BAD_CHARS.findall(head)) > 0.02 * len(head):
        raise InputRejected("binary", _BINARY.format(f"many control characters when read as {encoding}"))
    if _BLANK.match(text):
        raise InputRejected("whitespace_only", f"only whitespace, no text {_REPLACE}")
    return text, encoding


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode plain-text bytes with no newline translation; return (text, encoding) or raise InputRejected.

    Order: BOM, strict UTF-8 (no NULs), then charset-normalizer (NUL pattern -> UTF-16 without BOM).
    `encoding` always decodes `data` back to `text`: data.decode(encoding) == text.
    """
    if not data:
        raise InputRejected("empty", f"empty file (0 bytes) {_REPLACE}")
    encoding = next((enc for bom, enc in _BOMS if data.startswith(bom)), "")
    if not encoding and b"\0" not in data:
        try:
            return _checked(_decode_all(data, "utf-8"), "utf-8")
        except UnicodeDecodeError as e:
            if e.start >= 64 and len(data[:min(e.start, _SAMPLE)].translate(None, _ASCII)) >= 16:
                raise _undecodable("utf-8", e) from None  # plainly UTF-8 Chinese, then damage: say so
    encoding = encoding or _detect(data)
    try:
        return _checked(_decode_all(data, encoding), encoding)
    except UnicodeDecodeError as e:
        if encoding != "big5":
            raise _undecodable(encoding, e) from None
    try:  # the prefix looked like big5 but the rest is not: gb18030 is the wider net
        return _checked(_decode_all(data, "gb18030"), "gb18030")
    except UnicodeDecodeError as e:
        raise _undecodable("gb18030", e) from None


def _read_pdf(data: bytes) -> str:
    """Text layer page by page, pages joined by a blank line; pdfium's CRLF made LF."""
    import pypdfium2 as pdfium  # loads the pdfium C library: only a run with PDF inputs pays for it

    def page_text(page) -> str:
        textpage = page.get_textpage()
        try:
            return textpage.get_text_range().replace("\r\n", "\n").replace("\r", "\n")
        finally:
            textpage.close()
            page.close()

    try:
        pdf = pdfium.PdfDocument(data)
        try:
            text = "\n\n".join(page_text(page) for page in pdf)
        finally:
            pdf.close()
    except pdfium.PdfiumError as e:
        if "password" in str(e).lower():
            raise InputRejected("encrypted_pdf", "the PDF is password-protected (get an unprotected copy, or "
                                "open it and export it again without a password)") from None
        raise InputRejected("corrupt_pdf", f"cannot open the PDF ({e}): it is truncated or damaged "
                            "(download it again or export a fresh PDF)") from None
    if _BLANK.match(text):
        raise InputRejected("no_text_layer", f"no text layer: {_OCR}")
    return text


def _read_docx(data: bytes) -> str:
    """Body paragraphs, then table cells row by row (tab between cells); a merged cell counts once."""
    import docx  # python-docx and lxml load only for .docx inputs
    from docx.opc.exceptions import PackageNotFoundError  # with docx, above
    from lxml import etree  # with docx, above

    try:
        doc = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, etree.XMLSyntaxError, zlib.error,
            EOFError) as e:  # zlib.error, EOFError: a damaged deflate stream inside the zip
        raise InputRejected("corrupt_docx", f"not a readable .docx ({type(e).__name__}: {e}): damaged, or "
                            "an old .doc renamed (open it in Word/LibreOffice and save as .docx)") from None
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        seen = set()  # python-docx repeats a merged cell in every grid slot it spans
        for row in table.rows:
            lines.append("\t".join(seen.add(c._tc) or c.text for c in row.cells if c._tc not in seen))
    text = "\n".join(lines)
    if _BLANK.match(text):
        raise InputRejected("whitespace_only", f"the document has no text {_REPLACE}")
    return text


_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_GB = {"gbk", "gb2312", "x-gbk", "cp936", "euc-cn"}  # declared: read as their superset gb18030
_TRUSTED = {"utf-8", "gb18030", "big5", "big5hkscs", "cp950"}  # a declared latin-1 on a GBK page is a lie
_DROP_TAGS = ("head", "script", "style", "noscript", "template", "iframe", "svg", "select", "button",
              "nav", "header", "footer", "aside")
_NAV_NAME = re.compile(r"nav|menu|breadcrumb|crumb|footer|header|sidebar|share", re.I)
_BLOCKS = {"body", "div", "article", "section", "main", "td", "th", "blockquote", "form"}
_BREAKS = (_BLOCKS - {"td", "th"}) | set("p br li ul ol dl dt dd tr table pre hr h1 h2 h3 h4 h5 h6".split())
_PARA = "\x1e"  # paragraph marker while rendering (control characters were stripped from the page)


def _decode_html(data: bytes) -> str:
    """A declared charset wins when the bytes agree with it; else detection as for .txt."""
    m = _META_CHARSET.search(data[:4096])
    declared = m.group(1).decode("ascii").lower() if m else ""
    try:
        declared = codecs.lookup("gb18030" if declared in _GB else declared).name
    except LookupError:
        pass
    if declared in _TRUSTED and not any(data.startswith(bom) for bom, _ in _BOMS):
        try:
            return _decode_all(data, declared)
        except UnicodeDecodeError:
            pass
    return decode_text(data)[0]


def _main_text(html: str) -> str:
    """The block owning the most Chinese characters once boilerplate is dropped; paragraphs joined by LF."""
    import lxml.html  # lxml loads only for .html inputs
    from lxml import etree  # with lxml.html, above

    html = re.sub(r"\A\s*<\?xml[^>]*>", "", html)  # lxml refuses str input with an encoding declaration
    try:
        parser = lxml.html.HTMLParser(huge_tree=True)  # else libxml2 silently drops what is nested > 255 deep
        doc = lxml.html.document_fromstring(_BAD_CHARS.sub("", html), parser=parser)
    except (etree.ParserError, ValueError):
        return ""
    etree.strip_elements(doc, etree.Comment, etree.ProcessingInstruction, *_DROP_TAGS, with_tail=False)
    total = len(_HAN.findall(doc.text_content()))
    for el in list(doc.iter()):
        if el.tag not in ("html", "body") and _NAV_NAME.search(f"{el.get('class', '')} {el.get('id', '')}"):
            if len(_HAN.findall(el.text_content())) < 0.8 * total:  # a wrapper of everything stays
                el.drop_tree()
    containers = set()  # blocks holding blocks or <p>; a leaf block is a paragraph of its parent
    for el in doc.iter(*_BLOCKS, "p"):
        for anc in el.iterancestors():
            if anc in containers:
                break
            containers.add(anc)
    owner, score = {}, {}
    for el in doc.iter():
        up = owner.get(el.getparent(), doc)
        owner[el] = own = el if el.tag in _BLOCKS and (el in containers or el.tag == "body") else up
        for chunk, to in ((el.text, own), (el.tail, up)):
            if chunk:
                score[to] = score.get(to, 0) + len(_HAN.findall(chunk)) * 1000 + len(chunk.strip())
    best = max(score, key=score.get, default=None)
    parts = []
    for event, el in etree.iterwalk(best, events=("start", "end")) if best is not None else ():
        if event == "start":
            parts += [_PARA if el.tag in _BREAKS else " " if el.tag in ("td", "th") else "", el.text or ""]
        else:
            parts += [_PARA if el.tag in _BREAKS else "", (el.tail or "") if el is not best else ""]
    paras = (re.sub(r"\s+", " ", p).strip() for p in "".join(parts).split(_PARA))
    return "\n".join(p for p in paras if p)


_UNSUPPORTED_HINTS = {
    **dict.fromkeys((".doc", ".wps", ".rtf", ".odt", ".docm", ".dot", ".dotx"), "save it as .docx"),
    **dict.fromkeys((".ofd", ".xps", ".mht", ".mhtml", ".epub"), "export it as PDF"),
    **dict.fromkeys((".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".gif", ".webp"), f"an image: {_OCR}"),
    **dict.fromkeys((".zip", ".rar", ".7z", ".tar", ".gz"), "an archive: unpack it into the corpus folder"),
}
_CANNOT_READ = "(check that it exists, is a file and is readable)"


def _read_bytes(path: Path) -> bytes:
    """The file's bytes; a path that is not a regular file (folder, FIFO, device: reading could block
    or never end) or cannot be opened is rejected as unreadable."""
    try:
        mode = path.stat().st_mode  # follows symlinks: a dangling or looping link fails here
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
        if not stat.S_ISREG(mode):
            raise InputRejected("unreadable", f"{path.name}: cannot read: not a regular file (a FIFO, socket or "
                                f"device) {_CANNOT_READ}")
        return path.read_bytes()
    except OSError as e:
        raise InputRejected("unreadable", f"{path.name}: cannot read: {e.strerror or e} {_CANNOT_READ}") from None


def read_source(path: Path) -> SourceText:
    """Read one input file; a bad file raises InputRejected (and nothing else)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        hint = _UNSUPPORTED_HINTS.get(suffix, f"convert it to {', '.join(SUPPORTED_SUFFIXES)}")
        raise InputRejected("unsupported_format", f"{path.name}: unsupported format "
                            f"{suffix or '(no suffix)'!r} ({hint})")
    data = _read_bytes(path)
    try:
        if not data:
            raise InputRejected("empty", f"empty file (0 bytes) {_REPLACE}")
        if suffix in _TEXT_FORMATS:
            text, encoding = decode_text(data)
            return SourceText(text, _TEXT_FORMATS[suffix], encoding)
        if suffix == ".pdf":
            return SourceText(_read_pdf(data), "pdf", "")
        if suffix == ".docx":
            return SourceText(_read_docx(data), "docx", "")
        text = _main_text(_decode_html(data))
        if not text:
            raise InputRejected("no_main_text", "no main text left after dropping navigation, header and "
                                "footer (save the bulletin's body as .txt)")
        return SourceText(text, "html", "")
    except InputRejected as e:
        raise InputRejected(e.error, f"{path.name}: {e.message}") from None
