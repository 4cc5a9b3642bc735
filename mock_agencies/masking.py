"""Personal data masked where it is only *recorded*: error bodies, the journal as the admin API shows it, the
access log. An ID number or credit code keeps its first 6 and last 4 characters (``410811********1234``: the region
still shows, the person does not); an account-like token (16 or more letters and digits, at least 12 of them
digits: account and card numbers, which may embed the owner's ID number) keeps its first 4 and last 4. The answers
a court asked for (holdings, debtors) are data, not records: they are not masked. Setting ``unmask``
(``ZHIXING_AGENCIES_UNMASK=1``, ``zhixing agencies serve --unmask``) shows everything, for local debugging.
"""

from __future__ import annotations

import logging

from core_flow.masking import mask_data, mask_text

__all__ = ["MaskingFilter", "mask_data", "mask_text"]


class MaskingFilter(logging.Filter):
    """Masks the message and arguments of every record of the logger it is on (the access log: paths name
    debtors' ID numbers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_text(record.msg)
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(mask_text(a) if isinstance(a, str) else a for a in args)
        return True


def install_masking(logger_name: str = "uvicorn.access") -> None:
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, MaskingFilter) for f in logger.filters):
        logger.addFilter(MaskingFilter())
