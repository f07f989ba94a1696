"""Characters that XML 1.0 forbids; lxml refuses to build a document that holds one."""

import re

XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def strip_xml_illegal(value: str) -> str:
    return XML_ILLEGAL.sub("", value)
